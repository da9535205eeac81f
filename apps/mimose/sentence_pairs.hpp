#pragma once
// Variable-length training inputs from real text: pairs of verses of the King James Bible
// (or lines of any corpus), labelled 1 when the second follows the first and 0 when it was
// drawn at random (next-sentence prediction, a sentence-pair task like QQP's). Batches are
// padded to their longest pair, so the input size changes from batch to batch as with
// dynamic padding in the authors' runs. No LibTorch here.

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include <tessera/nn/tokenizer.hpp>

namespace tessera::mimose {

struct SentencePair {
  std::vector<std::int32_t> tokens;  // begin, first line, end, second line, end (truncated)
  std::int64_t label = 0;
};

struct PairOptions {
  std::size_t pairs = 1600;       // pairs drawn
  std::int64_t max_length = 256;  // tokens kept of a pair
  std::uint64_t seed = 1;
  std::size_t passage = 50;  // a line and the next are consecutive within such blocks
};

// Pairs drawn from `lines` (consecutive lines are consecutive text). Throws InvalidArgument
// when there are fewer than three lines.
std::vector<SentencePair> make_next_line_pairs(const nn::Tokenizer& tokenizer,
                                               std::span<const std::string> lines,
                                               const PairOptions& options);

struct Batch {
  std::int64_t rows = 0, length = 0;  // length: the longest pair of the batch (the input size)
  std::vector<std::int32_t> tokens;   // rows x length, padded with Tokenizer::kPad
  std::vector<std::int64_t> labels;
};

Batch make_batch(std::span<const SentencePair* const> pairs);

// One epoch: the pairs shuffled with (seed, epoch), cut into batches of `rows` (a last
// partial batch is dropped).
std::vector<Batch> epoch_batches(std::span<const SentencePair> pairs, std::int64_t rows,
                                 std::uint64_t seed, std::int64_t epoch);

// Counts of values rounded down to multiples of `bin`.
std::map<std::int64_t, std::int64_t> histogram(std::span<const std::int64_t> values,
                                               std::int64_t bin);

}  // namespace tessera::mimose
