#pragma once
// A subword tokenizer (sentencepiece, trained here on the project's own corpora). Its
// serialized form travels inside every model file, so that a model always decodes with the
// tokenizer it was trained with.

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::nn {

struct TokenizerOptions {
  int vocab_size = 1000;
  std::string model_type = "unigram";  // or "bpe"
  unsigned seed = 1;                   // sentencepiece's sampling seed
  std::size_t max_sentences = 200000;  // lines sampled for training
};

class Tokenizer {
 public:
  // Fixed special ids: 0 unknown, 1 begin of sequence, 2 end of sequence, 3 padding.
  static constexpr int kUnk = 0, kBos = 1, kEos = 2, kPad = 3;

  // Trains on `lines` (one sentence or log line each). Throws InvalidArgument when the
  // lines are too few or too uniform for `vocab_size` pieces (sentencepiece's reason).
  static Tokenizer train(std::span<const std::string> lines, const TokenizerOptions& options = {});
  // Loads a serialized tokenizer; `where` names its origin in errors.
  static Tokenizer from_serialized(std::string proto, std::string_view where);

  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;
  ~Tokenizer();

  std::vector<int> encode(std::string_view text) const;
  std::string decode(std::span<const int> ids) const;
  // The text that `continuation` adds after `prompt`, with its word boundary (decoded
  // alone, a first piece would lose its leading space).
  std::string decode_after(std::span<const int> prompt, std::span<const int> continuation) const;
  int vocab_size() const;
  // Bytes that reproduce this tokenizer with from_serialized.
  const std::string& serialized() const;

 private:
  struct Impl;
  explicit Tokenizer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::nn
