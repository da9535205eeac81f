#include "tessera/nn/model_config.hpp"

#include <nlohmann/json.hpp>

#include <tessera/error.hpp>

namespace tessera::nn {
namespace {

struct NamedSize {
  const char* name;
  std::int64_t context, d_model, n_layers, n_heads, d_ff;
};

// Widths and depths chosen so that one decoding step of "large" costs well over 20x one of
// "tiny" on a CPU core (bench/results/lm-*), and so that "small" trains in minutes.
constexpr NamedSize kSizes[] = {
    {"tiny", 64, 48, 2, 4, 192},
    {"small", 128, 128, 4, 4, 512},
    {"medium", 128, 256, 6, 8, 1024},
    {"large", 256, 512, 6, 8, 2048},
};

void require(bool ok, const std::string& what) {
  if (!ok) throw InvalidArgument("model configuration: " + what);
}

}  // namespace

void ModelConfig::validate() const {
  require(vocab >= 4, "vocab must be at least 4 (got " + std::to_string(vocab) + ")");
  require(context >= 1 && context <= 65536,
          "context must be in [1, 65536] (got " + std::to_string(context) + ")");
  require(d_model >= 1 && d_model <= 16384,
          "d_model must be in [1, 16384] (got " + std::to_string(d_model) + ")");
  require(n_layers >= 1 && n_layers <= 256,
          "n_layers must be in [1, 256] (got " + std::to_string(n_layers) + ")");
  require(n_heads >= 1 && d_model % n_heads == 0,
          "n_heads must divide d_model (got " + std::to_string(n_heads) + " heads for d_model " +
              std::to_string(d_model) + ")");
  require(d_ff >= 1 && d_ff <= 65536,
          "d_ff must be in [1, 65536] (got " + std::to_string(d_ff) + ")");
}

std::int64_t ModelConfig::decoder_parameters() const {
  const std::int64_t d = d_model;
  const std::int64_t attention = 4 * (d * d + d);
  const std::int64_t mlp = d * d_ff + d_ff + d_ff * d + d;
  const std::int64_t norms = 2 * 2 * d;
  return vocab * d + context * d + n_layers * (attention + mlp + norms) + 2 * d;
}

std::string ModelConfig::to_json() const {
  nlohmann::json j = {{"size", size},       {"vocab", vocab},       {"context", context},
                      {"d_model", d_model}, {"n_layers", n_layers}, {"n_heads", n_heads},
                      {"d_ff", d_ff}};
  return j.dump();
}

ModelConfig ModelConfig::from_json(std::string_view text, std::string_view where) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    throw InvalidArgument(std::string(where) + ": model configuration is not a JSON object");
  }
  ModelConfig c;
  auto integer = [&](const char* key) -> std::int64_t {
    if (!j.contains(key) || !j[key].is_number_integer()) {
      throw InvalidArgument(std::string(where) + ": model configuration lacks the integer '" + key +
                            "'");
    }
    return j[key].get<std::int64_t>();
  };
  if (j.contains("size") && !j["size"].is_string()) {
    throw InvalidArgument(std::string(where) +
                          ": model configuration field 'size' is not a string");
  }
  c.size = j.value("size", std::string("custom"));
  c.vocab = integer("vocab");
  c.context = integer("context");
  c.d_model = integer("d_model");
  c.n_layers = integer("n_layers");
  c.n_heads = integer("n_heads");
  c.d_ff = integer("d_ff");
  try {
    c.validate();
  } catch (const InvalidArgument& e) {
    throw InvalidArgument(std::string(where) + ": " + e.what());
  }
  return c;
}

std::vector<std::string> model_sizes() {
  std::vector<std::string> names;
  for (const NamedSize& s : kSizes) names.emplace_back(s.name);
  return names;
}

ModelConfig model_size(std::string_view name, std::int64_t vocab) {
  for (const NamedSize& s : kSizes) {
    if (name == s.name) {
      ModelConfig c{s.name, vocab, s.context, s.d_model, s.n_layers, s.n_heads, s.d_ff};
      c.validate();
      return c;
    }
  }
  std::string known;
  for (const NamedSize& s : kSizes) known += std::string(known.empty() ? "" : ", ") + s.name;
  throw InvalidArgument("unknown model size '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace tessera::nn
