#pragma once
// Scoring text with a DecoderLM as tasks: every line is one sequence, preceded by the
// end-of-sequence token (the separator the model saw before each line in training) and
// followed by it, so that a line's score does not depend on its neighbours. Lines longer
// than the context are scored in consecutive chunks of the context.

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <tessera/runtime.hpp>

#include "tessera/nn/tensors.hpp"
#include "tessera/nn/tokenizer.hpp"
#include "tessera/nn/transformer.hpp"

namespace tessera::nn {

struct LineScore {
  std::int64_t tokens = 0;  // targets scored: the line's tokens and its end token
  double nats = 0;          // summed negative log-likelihood of those targets
  double mean() const { return tokens > 0 ? nats / static_cast<double>(tokens) : 0.0; }
};

struct Perplexity {
  double loss = 0;        // nats per token over all lines
  double perplexity = 0;  // exp(loss)
  std::int64_t tokens = 0;
  std::int64_t lines = 0;
};

// One score per line of `lines` (empty lines score 0 tokens), `lines_per_task` lines per
// task. `reads`: data the tasks must read (the trainer's parameter shards when the model is
// being trained on the same runtime), so that scoring waits for the steps submitted before.
std::vector<LineScore> score_lines(Runtime& runtime, DecoderLM& model, const Tokenizer& tokenizer,
                                   std::span<const std::string> lines,
                                   std::int64_t lines_per_task = 16,
                                   std::span<const TensorSetHandle> reads = {});

// Sums of the scores in line order.
Perplexity perplexity_of(std::span<const LineScore> scores);

}  // namespace tessera::nn
