#include "tessera/nn/model_file.hpp"

#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include <tessera/error.hpp>

namespace tessera::nn {
namespace {

constexpr char kMagic[] = "TESSERALM";
constexpr std::size_t kMagicSize = sizeof(kMagic) - 1;

std::uint64_t fnv1a(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

template <class T>
void put(std::string& out, T value) {
  char raw[sizeof(T)];
  std::memcpy(raw, &value, sizeof(T));
  out.append(raw, sizeof(T));
}

void put_section(std::string& out, const std::string& bytes) {
  put<std::uint64_t>(out, bytes.size());
  out += bytes;
}

class Reader {
 public:
  Reader(const std::string& bytes, std::string where) : bytes_(bytes), where_(std::move(where)) {}
  template <class T>
  T get(const char* what) {
    need(sizeof(T), what);
    T value;
    std::memcpy(&value, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return value;
  }
  std::string section(const char* what) {
    const auto size = get<std::uint64_t>(what);
    need(size, what);
    std::string out = bytes_.substr(pos_, size);
    pos_ += size;
    return out;
  }
  void skip(std::uint64_t n, const char* what) {
    need(n, what);
    pos_ += n;
  }
  std::size_t position() const noexcept { return pos_; }

 private:
  void need(std::uint64_t n, const char* what) const {
    if (n > bytes_.size() - pos_) {
      throw InvalidArgument(where_ + ": truncated model file (the " + what +
                            " is cut short at byte " + std::to_string(bytes_.size()) + ")");
    }
  }
  const std::string& bytes_;
  std::string where_;
  std::size_t pos_ = 0;
};

std::string weights_of(const torch::nn::Module& model) {
  torch::serialize::OutputArchive archive;
  for (const auto& p : model.named_parameters()) archive.write(p.key(), p.value());
  std::ostringstream out;
  archive.save_to(out);
  return out.str();
}

void load_weights(torch::nn::Module& model, const std::string& bytes, const std::string& where) {
  torch::serialize::InputArchive archive;
  try {
    std::istringstream in(bytes);
    archive.load_from(in);
  } catch (const c10::Error& e) {
    throw InvalidArgument(where + ": the weights section is not a LibTorch archive");
  }
  torch::NoGradGuard no_grad;
  const auto params = model.named_parameters();
  for (const auto& key : archive.keys()) {
    if (params.find(key) == nullptr) {
      throw InvalidArgument(where + ": the weights hold parameter '" + key +
                            "', which the configuration has not (a model with adapters?)");
    }
  }
  for (auto& p : model.named_parameters()) {
    torch::Tensor stored;
    if (!archive.try_read(p.key(), stored)) {
      throw InvalidArgument(where + ": the weights lack parameter '" + p.key() +
                            "' of the configuration");
    }
    if (stored.sizes() != p.value().sizes()) {
      std::ostringstream msg;
      msg << where << ": parameter '" << p.key() << "' is " << stored.sizes() << " in the file but "
          << p.value().sizes() << " in the configuration";
      throw InvalidArgument(msg.str());
    }
    if (stored.scalar_type() != p.value().scalar_type()) {
      throw InvalidArgument(where + ": parameter '" + p.key() + "' is stored as " +
                            std::string(c10::toString(stored.scalar_type())) + ", the model uses " +
                            std::string(c10::toString(p.value().scalar_type())));
    }
    p.value().copy_(stored);
  }
}

}  // namespace

void save_model(const std::filesystem::path& path, const LanguageModel& lm) {
  const auto notes =
      lm.notes.empty() ? nlohmann::json::object() : nlohmann::json::parse(lm.notes, nullptr, false);
  if (notes.is_discarded()) throw InvalidArgument("save_model: the notes are not JSON");
  nlohmann::json header = {{"format", "tessera language model"},
                           {"config", nlohmann::json::parse(lm.config.to_json())},
                           {"notes", notes}};
  std::string bytes(kMagic, kMagicSize);
  put<std::uint32_t>(bytes, kModelFileVersion);
  put_section(bytes, header.dump());
  put_section(bytes, lm.tokenizer.serialized());
  put_section(bytes, weights_of(*lm.model));
  put<std::uint64_t>(bytes, fnv1a(bytes));

  const std::filesystem::path temp = path.string() + ".partial";
  try {
    if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    out.close();
    if (!out) throw Error("cannot write '" + temp.string() + "'");
    std::filesystem::rename(temp, path);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(temp, ignored);
    throw Error("save_model: '" + path.string() + "': " + e.what());
  }
}

LanguageModel load_model(const std::filesystem::path& path) {
  const std::string where = "model file '" + path.string() + "'";
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument(where + ": cannot open it");
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < kMagicSize || bytes.compare(0, kMagicSize, kMagic) != 0) {
    throw InvalidArgument(where + ": not a Tessera language model (no TESSERALM signature)");
  }
  Reader reader(bytes, where);
  reader.skip(kMagicSize, "signature");
  const auto version = reader.get<std::uint32_t>("version");
  if (version != kModelFileVersion) {
    throw InvalidArgument(where + ": format version " + std::to_string(version) +
                          ", this Tessera reads version " + std::to_string(kModelFileVersion));
  }
  const std::string header_text = reader.section("header");
  const std::string tokenizer_bytes = reader.section("tokenizer");
  const std::string weights = reader.section("weights");
  const std::size_t body = reader.position();
  const auto checksum = reader.get<std::uint64_t>("checksum");
  if (reader.position() != bytes.size()) {
    throw InvalidArgument(where + ": " + std::to_string(bytes.size() - reader.position()) +
                          " unexpected bytes after the checksum");
  }
  if (fnv1a(bytes.substr(0, body)) != checksum) {
    throw InvalidArgument(where + ": corrupt (the checksum does not match its contents)");
  }
  const auto header = nlohmann::json::parse(header_text, nullptr, false);
  if (header.is_discarded() || !header.contains("config")) {
    throw InvalidArgument(where + ": the header is not the expected JSON");
  }
  ModelConfig config = ModelConfig::from_json(header["config"].dump(), where);
  // The weights must be there before the model is allocated: a configuration within range
  // can still ask for more memory than the file could ever fill.
  const auto needed = static_cast<std::uint64_t>(config.decoder_parameters()) * sizeof(float);
  if (weights.size() < needed) {
    throw InvalidArgument(where + ": its weights section has " + std::to_string(weights.size()) +
                          " bytes, the configuration needs at least " + std::to_string(needed));
  }
  Tokenizer tokenizer = Tokenizer::from_serialized(tokenizer_bytes, where);
  if (tokenizer.vocab_size() != config.vocab) {
    throw InvalidArgument(where + ": its tokenizer has " + std::to_string(tokenizer.vocab_size()) +
                          " tokens but the model a vocabulary of " + std::to_string(config.vocab));
  }
  DecoderLM model(config);
  load_weights(*model, weights, where);
  return LanguageModel{std::move(config), std::move(tokenizer), std::move(model),
                       header.value("notes", nlohmann::json::object()).dump()};
}

}  // namespace tessera::nn
