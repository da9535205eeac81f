#pragma once
// Helpers of the LibTorch layer's tests: a tiny corpus, tokenizer and model that train in
// milliseconds.

#include <string>
#include <vector>

#include <torch/types.h>

#include <tessera/nn/model_config.hpp>
#include <tessera/nn/tokenizer.hpp>
#include <tessera/nn/transformer.hpp>

namespace tessera::nn::testing {

// Lines with a little structure (a subject, a verb, an object) for tokenizers and models.
inline std::vector<std::string> toy_lines(int count = 400) {
  const char* subjects[] = {"the worker", "a task", "the runtime", "one policy", "the kernel"};
  const char* verbs[] = {"reads", "writes", "schedules", "waits for", "releases"};
  const char* objects[] = {"the tile", "a vector", "the handle", "its successor", "the queue"};
  std::vector<std::string> lines;
  for (int i = 0; i < count; ++i) {
    lines.push_back(std::string(subjects[i % 5]) + " " + verbs[(i / 5) % 5] + " " +
                    objects[(i / 25) % 5] + " number " + std::to_string(i % 17));
  }
  return lines;
}

inline ModelConfig toy_config(std::int64_t vocab = 64) {
  ModelConfig c;
  c.vocab = vocab;
  c.context = 16;
  c.d_model = 16;
  c.n_layers = 2;
  c.n_heads = 2;
  c.d_ff = 32;
  return c;
}

inline DecoderLM toy_model(std::uint64_t seed = 7, std::int64_t vocab = 64) {
  torch::manual_seed(seed);
  return DecoderLM(toy_config(vocab));
}

// [rows, length + 1] windows of random token ids in [4, vocab) from a fixed seed.
inline torch::Tensor toy_windows(std::int64_t rows, std::int64_t length, std::int64_t vocab = 64,
                                 std::uint64_t seed = 3) {
  torch::manual_seed(seed);
  return torch::randint(4, vocab, {rows, length + 1}, torch::kLong);
}

}  // namespace tessera::nn::testing
