#pragma once
// A log reader that ranks the candidate answers of a line (answer_candidates.hpp) with
// gradient-boosted trees (XGBoost, pairwise ranking objective, one group per question):
// it learns which slot of which kind of line a kind of question asks for.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::logs {

struct ReadingExample {
  std::string question;
  std::string content;  // the line's content
  std::string event;    // its Drain template ("" when unknown)
  std::string answer;   // the gold answer (training)
};

struct SlotReaderOptions {
  int rounds = 200;
  int depth = 6;
  double eta = 0.1;
  std::uint64_t seed = 1;
  // Retrieved lines to read per question (chosen by train-qa; kept in the model file).
  int read_lines = 1;
};

struct ReaderAnswer {
  std::string text;
  double score = 0;
};

class SlotReader {
 public:
  // Trains on the examples whose answer is one of their line's candidates (`usable`, when
  // given, receives how many were). Throws InvalidArgument when none is.
  static SlotReader train(const std::vector<ReadingExample>& examples,
                          const SlotReaderOptions& options, std::size_t* usable = nullptr);
  // Reads a model written by save(); throws InvalidArgument naming the file and the fault.
  static SlotReader load(const std::string& path);
  void save(const std::string& path) const;

  SlotReader(SlotReader&&) noexcept;
  SlotReader& operator=(SlotReader&&) noexcept;
  ~SlotReader();

  // The best candidate of the line for the question (empty text for an empty line).
  ReaderAnswer read(std::string_view question, std::string_view content,
                    std::string_view event) const;
  const SlotReaderOptions& options() const;

 private:
  struct Impl;
  explicit SlotReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::logs
