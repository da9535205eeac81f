#pragma once
// Decoding with a DecoderLM: greedy, temperature and top-k sampling, with the key/value
// cache, as a chain of Tessera tasks (one prefill task, then one task per new token).

#include <cstdint>
#include <random>
#include <span>
#include <vector>

#include <torch/types.h>

#include <tessera/runtime.hpp>

#include "tessera/nn/tensors.hpp"
#include "tessera/nn/transformer.hpp"

namespace tessera::nn {

struct SamplingOptions {
  double temperature = 0.0;  // 0: greedy (the most likely token)
  std::int64_t top_k = 0;    // > 0: sample among the k most likely tokens only
  std::uint64_t seed = 1;
  // Throws InvalidArgument naming the bad option.
  void validate() const;
};

// Chooses the next token from one row of logits ([vocab]); reproducible for a seed.
class Sampler {
 public:
  explicit Sampler(SamplingOptions options);
  std::int64_t next(const torch::Tensor& logits);

 private:
  SamplingOptions options_;
  std::mt19937_64 rng_;
};

struct GenerateOptions {
  std::int64_t max_new_tokens = 64;
  bool stop_at_eos = true;
  SamplingOptions sampling;
};

// The prompt's continuation (new tokens only). When prompt and continuation outgrow the
// model's context, the cache restarts from the last half-context of tokens. Tokens are
// submitted in rounds of 32 tasks, so that a large max_new_tokens costs nothing past the end
// of the sequence. `reads`: data the tasks must read (a trainer's parameter shards when the
// model is trained on the same runtime). Throws InvalidArgument for an empty prompt or a
// token outside the vocabulary, TaskFailed when a step fails.
std::vector<int> generate(Runtime& runtime, DecoderLM& model, const std::vector<int>& prompt,
                          const GenerateOptions& options,
                          std::span<const TensorSetHandle> reads = {});

}  // namespace tessera::nn
