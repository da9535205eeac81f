#pragma once
// Training text that needs no download, split once into train, validation and test parts,
// and turned into token streams and batches of windows. No LibTorch here.
//
// Sources: "kjv" (the King James Bible from Debian's bible-kjv package, one verse a line),
// "logs" (the raw Loghub 2k samples of every system in data/loghub), "logs:<System>" (one
// system), or the path of any text file (one document a line).

#include <cstdint>
#include <filesystem>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/nn/tokenizer.hpp"

namespace tessera::nn {

struct CorpusSplits {
  std::vector<std::string> train, valid, test;
};

// Lines of a text file, without their end-of-line characters. Throws InvalidArgument
// naming `path` if it is missing, not text (a NUL byte in its first 64 KiB), or, unless
// `allow_empty`, without any text.
std::vector<std::string> read_lines(const std::filesystem::path& path, bool allow_empty = false);

// Splits by blocks of `block` consecutive lines, so that no test line sits next to a
// training line from the same passage: of every 20 blocks, the 19th goes to validation and
// the 20th to test. The same lines always give the same split.
CorpusSplits split_lines(std::span<const std::string> lines, std::size_t block = 50);

// The lines of a named source (see above), split; each log system is split on its own, in
// its time order. `data_dir` holds the project's data (loghub/...).
CorpusSplits load_source(std::string_view source, const std::filesystem::path& data_dir);

// Writes train.txt, valid.txt and test.txt under `dir` (created if needed).
void write_splits(const CorpusSplits& splits, const std::filesystem::path& dir);
// Reads the file of one split written by write_splits (an empty file is an empty split).
std::vector<std::string> read_split(const std::filesystem::path& dir, std::string_view split);

// The project's data folder: $TESSERA_DATA_DIR if set, else the source tree's data/.
std::filesystem::path default_data_dir();

// Every line encoded and followed by the end-of-sequence token, in order.
std::vector<std::int32_t> encode_lines(const Tokenizer& tokenizer,
                                       std::span<const std::string> lines);

// Windows of `length` + 1 consecutive tokens (inputs and their next tokens) drawn from a
// token stream: random starts for training, consecutive non-overlapping ones for evaluation.
class WindowSampler {
 public:
  WindowSampler(std::span<const std::int32_t> stream, std::int64_t length, std::uint64_t seed);
  // `count` windows at random starts, row after row (count * (length + 1) tokens).
  std::vector<std::int32_t> sample(std::int64_t count);
  // The i-th of the consecutive windows (0 <= i < windows()).
  std::span<const std::int32_t> window(std::int64_t i) const;
  std::int64_t windows() const;
  std::int64_t length() const noexcept { return length_; }

 private:
  std::span<const std::int32_t> stream_;
  std::int64_t length_;
  std::mt19937_64 rng_;
};

}  // namespace tessera::nn
