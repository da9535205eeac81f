#include "tessera/nn/tokenizer.hpp"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include <tessera/error.hpp>

#include "sentencepiece_shim.h"

namespace tessera::nn {
namespace {

// libtessera_sentencepiece, opened once per process and never closed (see
// sentencepiece_shim.h for why sentencepiece is not linked directly). It lives next to
// libtessera_nn; $TESSERA_SENTENCEPIECE_MODULE names another path.
class SentencePieceModule {
 public:
  static const SentencePieceModule& get() {
    static const SentencePieceModule module;
    return module;
  }

  decltype(&tsp_train) train = nullptr;
  decltype(&tsp_load) load = nullptr;
  decltype(&tsp_release) release = nullptr;
  decltype(&tsp_pieces) pieces = nullptr;
  decltype(&tsp_special_ids) special_ids = nullptr;
  decltype(&tsp_encode) encode = nullptr;
  decltype(&tsp_decode) decode = nullptr;
  decltype(&tsp_free_buffer) free_buffer = nullptr;

 private:
  SentencePieceModule() {
    const std::string path = module_path();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
    if (handle == nullptr) {
      throw Error("tokenizer: cannot load the sentencepiece module '" + path + "': " + dlerror());
    }
    bind(handle, train, "tsp_train");
    bind(handle, load, "tsp_load");
    bind(handle, release, "tsp_release");
    bind(handle, pieces, "tsp_pieces");
    bind(handle, special_ids, "tsp_special_ids");
    bind(handle, encode, "tsp_encode");
    bind(handle, decode, "tsp_decode");
    bind(handle, free_buffer, "tsp_free_buffer");
  }

  static std::string module_path() {
    if (const char* env = std::getenv("TESSERA_SENTENCEPIECE_MODULE"); env != nullptr && *env) {
      return env;
    }
    Dl_info info{};
    if (dladdr(reinterpret_cast<void*>(&SentencePieceModule::get), &info) != 0 &&
        info.dli_fname != nullptr) {
      return (std::filesystem::path(info.dli_fname).parent_path() / "libtessera_sentencepiece.so")
          .string();
    }
    return "libtessera_sentencepiece.so";
  }

  template <class Fn>
  static void bind(void* handle, Fn& fn, const char* name) {
    fn = reinterpret_cast<Fn>(dlsym(handle, name));
    if (fn == nullptr)
      throw Error(std::string("tokenizer: the sentencepiece module lacks ") + name);
  }
};

struct Buffer {
  void* data = nullptr;
  ~Buffer() {
    if (data != nullptr) SentencePieceModule::get().free_buffer(data);
  }
};

}  // namespace

struct Tokenizer::Impl {
  tsp_processor* processor = nullptr;
  std::string proto;
  int pieces = 0;
  ~Impl() {
    if (processor != nullptr) SentencePieceModule::get().release(processor);
  }
};

Tokenizer::Tokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;
Tokenizer::~Tokenizer() = default;

Tokenizer Tokenizer::train(std::span<const std::string> lines, const TokenizerOptions& options) {
  if (options.vocab_size < 8) {
    throw InvalidArgument("tokenizer: vocab_size must be at least 8 (got " +
                          std::to_string(options.vocab_size) + ")");
  }
  if (options.model_type != "unigram" && options.model_type != "bpe") {
    throw InvalidArgument("tokenizer: model_type must be 'unigram' or 'bpe' (got '" +
                          options.model_type + "')");
  }
  std::vector<const char*> data;
  std::vector<std::size_t> sizes;
  for (const std::string& l : lines) {
    if (l.empty()) continue;
    data.push_back(l.data());
    sizes.push_back(l.size());
  }
  if (data.empty()) throw InvalidArgument("tokenizer: no non-empty line to train on");
  // Identity normalization and no whitespace folding keep log text (case, digits,
  // punctuation, aligned columns) as it is and the serialized model small; one thread and
  // a seed keep training reproducible.
  const std::string args = "--vocab_size=" + std::to_string(options.vocab_size) +
                           " --model_type=" + options.model_type +
                           " --normalization_rule_name=identity --remove_extra_whitespaces=false"
                           " --character_coverage=1.0"
                           " --unk_id=0 --bos_id=1 --eos_id=2 --pad_id=3 --num_threads=1"
                           " --hard_vocab_limit=false --minloglevel=3" +
                           " --input_sentence_size=" + std::to_string(options.max_sentences) +
                           " --shuffle_input_sentence=true";
  const auto& module = SentencePieceModule::get();
  char error[512] = {};
  Buffer proto;
  std::size_t size = 0;
  {
    // sentencepiece's seed is process-wide: trainings must not interleave.
    static std::mutex training;
    std::lock_guard lock(training);
    char* out = nullptr;
    if (module.train(data.data(), sizes.data(), data.size(), args.c_str(), options.seed, &out,
                     &size, error, sizeof error) != 0) {
      throw InvalidArgument(std::string("tokenizer: training failed: ") + error);
    }
    proto.data = out;
  }
  return from_serialized(std::string(static_cast<const char*>(proto.data), size),
                         "trained tokenizer");
}

Tokenizer Tokenizer::from_serialized(std::string proto, std::string_view where) {
  const auto& module = SentencePieceModule::get();
  auto impl = std::make_unique<Impl>();
  impl->proto = std::move(proto);
  char error[512] = {};
  if (module.load(impl->proto.data(), impl->proto.size(), &impl->processor, error, sizeof error) !=
      0) {
    throw InvalidArgument(std::string(where) + ": not a valid tokenizer (" + error + ")");
  }
  int unk = 0, bos = 0, eos = 0, pad = 0;
  module.special_ids(impl->processor, &unk, &bos, &eos, &pad);
  if (unk != kUnk || bos != kBos || eos != kEos || pad != kPad) {
    throw InvalidArgument(std::string(where) +
                          ": tokenizer has other special ids than Tessera's (unk 0, bos 1, eos 2, "
                          "pad 3)");
  }
  impl->pieces = module.pieces(impl->processor);
  return Tokenizer(std::move(impl));
}

std::vector<int> Tokenizer::encode(std::string_view text) const {
  char error[512] = {};
  int* ids = nullptr;
  std::size_t count = 0;
  if (SentencePieceModule::get().encode(impl_->processor, text.data(), text.size(), &ids, &count,
                                        error, sizeof error) != 0) {
    throw Error(std::string("tokenizer: cannot encode text: ") + error);
  }
  Buffer owned{ids};
  return {ids, ids + count};
}

std::string Tokenizer::decode(std::span<const int> ids) const {
  for (int id : ids) {
    if (id < 0 || id >= impl_->pieces) {
      throw InvalidArgument("tokenizer: token id " + std::to_string(id) +
                            " is outside the vocabulary of " + std::to_string(impl_->pieces));
    }
  }
  char error[512] = {};
  char* text = nullptr;
  std::size_t size = 0;
  if (SentencePieceModule::get().decode(impl_->processor, ids.data(), ids.size(), &text, &size,
                                        error, sizeof error) != 0) {
    throw Error(std::string("tokenizer: cannot decode: ") + error);
  }
  Buffer owned{text};
  return {text, size};
}

std::string Tokenizer::decode_after(std::span<const int> prompt,
                                    std::span<const int> continuation) const {
  std::vector<int> all(prompt.begin(), prompt.end());
  all.insert(all.end(), continuation.begin(), continuation.end());
  const std::string whole = decode(all);
  const std::string head = decode(prompt);
  return whole.compare(0, head.size(), head) == 0 ? whole.substr(head.size())
                                                  : decode(continuation);
}

int Tokenizer::vocab_size() const {
  return impl_->pieces;
}
const std::string& Tokenizer::serialized() const {
  return impl_->proto;
}

}  // namespace tessera::nn
