#pragma once
// The shape of a transformer in the model zoo, and the named sizes. Plain data: no LibTorch
// here, so that command-line code and file readers can handle configurations cheaply.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::nn {

struct ModelConfig {
  std::string size = "custom";  // the named size it was made from, or "custom"
  std::int64_t vocab = 0;       // tokens, set from the tokenizer
  std::int64_t context = 128;   // longest sequence (positions)
  std::int64_t d_model = 128;
  std::int64_t n_layers = 2;
  std::int64_t n_heads = 4;
  std::int64_t d_ff = 512;

  // Throws InvalidArgument naming the first field out of range.
  void validate() const;
  // Trainable parameters of the decoder language model of this shape (tied output head).
  std::int64_t decoder_parameters() const;

  std::string to_json() const;
  // Throws InvalidArgument naming `where` and the bad or missing field.
  static ModelConfig from_json(std::string_view text, std::string_view where);

  friend bool operator==(const ModelConfig&, const ModelConfig&) = default;
};

// The named sizes, smallest first: "tiny" (about 0.1 M parameters at a 1,000-token
// vocabulary), "small" (about 1 M), "medium" (about 5 M), "large" (about 20 M).
std::vector<std::string> model_sizes();
// Throws InvalidArgument listing the known sizes when `name` is not one of them.
ModelConfig model_size(std::string_view name, std::int64_t vocab);

}  // namespace tessera::nn
