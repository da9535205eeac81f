#include "mimose/sentence_pairs.hpp"

#include <algorithm>
#include <numeric>
#include <random>

#include <tessera/error.hpp>

namespace tessera::mimose {

std::vector<SentencePair> make_next_line_pairs(const nn::Tokenizer& tokenizer,
                                               std::span<const std::string> lines,
                                               const PairOptions& options) {
  if (lines.size() < 3) throw InvalidArgument("sentence pairs: need at least 3 lines of text");
  if (options.max_length < 4) throw InvalidArgument("sentence pairs: max_length must be >= 4");
  const std::size_t passage = std::max<std::size_t>(options.passage, 2);
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<std::size_t> any(0, lines.size() - 1);
  std::bernoulli_distribution follows(0.5);
  std::vector<SentencePair> pairs;
  pairs.reserve(options.pairs);
  while (pairs.size() < options.pairs) {
    const std::size_t i = any(rng);
    // The line after i must exist and belong to the same passage.
    if (i + 1 >= lines.size() || i % passage == passage - 1) continue;
    SentencePair pair;
    pair.label = follows(rng) ? 1 : 0;
    std::size_t j = i + 1;
    if (pair.label == 0) {
      do j = any(rng);
      while (j == i || j == i + 1);
    }
    pair.tokens.push_back(nn::Tokenizer::kBos);
    for (int t : tokenizer.encode(lines[i])) pair.tokens.push_back(t);
    pair.tokens.push_back(nn::Tokenizer::kEos);
    for (int t : tokenizer.encode(lines[j])) pair.tokens.push_back(t);
    pair.tokens.push_back(nn::Tokenizer::kEos);
    if (static_cast<std::int64_t>(pair.tokens.size()) > options.max_length)
      pair.tokens.resize(static_cast<std::size_t>(options.max_length));
    pairs.push_back(std::move(pair));
  }
  return pairs;
}

Batch make_batch(std::span<const SentencePair* const> pairs) {
  Batch batch;
  batch.rows = static_cast<std::int64_t>(pairs.size());
  for (const auto* p : pairs)
    batch.length = std::max(batch.length, static_cast<std::int64_t>(p->tokens.size()));
  batch.tokens.assign(static_cast<std::size_t>(batch.rows * batch.length), nn::Tokenizer::kPad);
  for (std::size_t r = 0; r < pairs.size(); ++r) {
    std::copy(pairs[r]->tokens.begin(), pairs[r]->tokens.end(),
              batch.tokens.begin() + static_cast<std::ptrdiff_t>(r) * batch.length);
    batch.labels.push_back(pairs[r]->label);
  }
  return batch;
}

std::vector<Batch> epoch_batches(std::span<const SentencePair> pairs, std::int64_t rows,
                                 std::uint64_t seed, std::int64_t epoch) {
  if (rows < 1) throw InvalidArgument("batches: at least one row per batch");
  std::vector<std::size_t> order(pairs.size());
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed * 1000003ULL + static_cast<std::uint64_t>(epoch));
  std::shuffle(order.begin(), order.end(), rng);
  std::vector<Batch> batches;
  const auto r = static_cast<std::size_t>(rows);
  for (std::size_t start = 0; start + r <= order.size(); start += r) {
    std::vector<const SentencePair*> chosen;
    for (std::size_t k = start; k < start + r; ++k) chosen.push_back(&pairs[order[k]]);
    batches.push_back(make_batch(chosen));
  }
  return batches;
}

std::map<std::int64_t, std::int64_t> histogram(std::span<const std::int64_t> values,
                                               std::int64_t bin) {
  std::map<std::int64_t, std::int64_t> counts;
  const std::int64_t width = std::max<std::int64_t>(bin, 1);
  for (auto v : values) ++counts[v / width * width];
  return counts;
}

}  // namespace tessera::mimose
