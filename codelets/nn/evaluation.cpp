#include "tessera/nn/evaluation.hpp"

#include <torch/nn/functional/loss.h>

#include <cmath>

#include <tessera/error.hpp>
#include <tessera/task_context.hpp>

#include "tessera/nn/torch_codelet.hpp"

namespace tessera::nn {
namespace {

// One sequence to score: inputs (separator + tokens) and targets (tokens + separator),
// at most `context` long, and the line it belongs to.
struct Piece {
  std::vector<std::int64_t> inputs, targets;
  std::size_t line = 0;
};

std::vector<Piece> pieces_of(const std::vector<int>& ids, std::size_t line, std::int64_t context) {
  std::vector<std::int64_t> stream;
  stream.push_back(Tokenizer::kEos);
  stream.insert(stream.end(), ids.begin(), ids.end());
  stream.push_back(Tokenizer::kEos);
  std::vector<Piece> out;
  const auto targets = static_cast<std::int64_t>(stream.size()) - 1;
  for (std::int64_t start = 0; start < targets; start += context) {
    const std::int64_t n = std::min(context, targets - start);
    Piece p;
    p.line = line;
    p.inputs.assign(stream.begin() + start, stream.begin() + start + n);
    p.targets.assign(stream.begin() + start + 1, stream.begin() + start + n + 1);
    out.push_back(std::move(p));
  }
  return out;
}

// Summed losses of each piece, padded into one batch (padding after the end: the causal
// mask keeps it from changing the real positions; padding targets are ignored).
std::vector<double> score_pieces(DecoderLM& model, const std::vector<Piece>& pieces) {
  std::int64_t longest = 0;
  for (const auto& p : pieces)
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(p.inputs.size()));
  const auto rows = static_cast<std::int64_t>(pieces.size());
  auto inputs = torch::full({rows, longest}, Tokenizer::kPad, torch::kLong);
  auto targets = torch::full({rows, longest}, Tokenizer::kPad, torch::kLong);
  for (std::int64_t r = 0; r < rows; ++r) {
    const auto& p = pieces[static_cast<std::size_t>(r)];
    const auto n = static_cast<std::int64_t>(p.inputs.size());
    inputs[r].narrow(0, 0, n).copy_(torch::tensor(p.inputs, torch::kLong));
    targets[r].narrow(0, 0, n).copy_(torch::tensor(p.targets, torch::kLong));
  }
  const auto logits = model->forward(inputs);
  namespace F = torch::nn::functional;
  const auto losses =
      F::cross_entropy(
          logits.reshape({-1, logits.size(2)}), targets.reshape({-1}),
          F::CrossEntropyFuncOptions().reduction(torch::kNone).ignore_index(Tokenizer::kPad))
          .view({rows, longest})
          .sum(1)
          .to(torch::kDouble)
          .contiguous();
  const double* data = losses.data_ptr<double>();
  return {data, data + rows};
}

}  // namespace

std::vector<LineScore> score_lines(Runtime& runtime, DecoderLM& model, const Tokenizer& tokenizer,
                                   std::span<const std::string> lines, std::int64_t lines_per_task,
                                   std::span<const TensorSetHandle> reads) {
  if (lines_per_task < 1) throw InvalidArgument("score_lines: lines_per_task must be >= 1");
  if (model->config().context < 1) throw InvalidArgument("score_lines: the model has no context");
  if (tokenizer.vocab_size() != model->config().vocab) {
    throw InvalidArgument(
        "score_lines: the tokenizer has " + std::to_string(tokenizer.vocab_size()) +
        " tokens, the model a vocabulary of " + std::to_string(model->config().vocab));
  }
  std::vector<LineScore> scores(lines.size());
  struct Batch {
    std::vector<Piece> pieces;
    std::vector<double> nats;
  };
  std::vector<std::shared_ptr<Batch>> batches;
  auto batch = std::make_shared<Batch>();
  std::int64_t in_batch = 0;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    for (auto& p : pieces_of(tokenizer.encode(lines[i]), i, model->config().context)) {
      scores[i].tokens += static_cast<std::int64_t>(p.targets.size());
      batch->pieces.push_back(std::move(p));
    }
    if (++in_batch == lines_per_task) {
      batches.push_back(std::move(batch));
      batch = std::make_shared<Batch>();
      in_batch = 0;
    }
  }
  if (!batch->pieces.empty()) batches.push_back(std::move(batch));

  DecoderLM shared = model;
  const auto codelet = torch_codelet("lm.score", [shared](TaskContext& ctx) mutable {
    auto& b = *ctx.arg<std::shared_ptr<Batch>>(0);
    b.nats = score_pieces(shared, b.pieces);
  });
  std::vector<TaskHandle> tasks;
  for (std::size_t t = 0; t < batches.size(); ++t) {
    auto builder = runtime.task(codelet);
    for (const auto& h : reads) builder.read(h);
    tasks.push_back(builder.args(batches[t]).name("lm.score[" + std::to_string(t) + "]").submit());
  }
  for (auto& t : tasks) t.wait();
  for (const auto& b : batches) {
    for (std::size_t k = 0; k < b->pieces.size(); ++k) scores[b->pieces[k].line].nats += b->nats[k];
  }
  return scores;
}

Perplexity perplexity_of(std::span<const LineScore> scores) {
  Perplexity p;
  double nats = 0;
  for (const auto& s : scores) {
    if (s.tokens == 0) continue;
    nats += s.nats;
    p.tokens += s.tokens;
    ++p.lines;
  }
  p.loss = p.tokens > 0 ? nats / static_cast<double>(p.tokens) : 0.0;
  p.perplexity = std::exp(p.loss);
  return p;
}

}  // namespace tessera::nn
