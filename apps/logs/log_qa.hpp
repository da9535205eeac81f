#pragma once
// Question answering over a log (LogQA): the retriever (LogIndex, BM25) finds the lines,
// a reader extracts the answer, a span of the best line's content. Evaluation gives
// LogQA's metrics: exact match and token F1 of the answers, and the retriever's recall at
// 1, 5 and 10 (a question counts when one of the first k lines contains its RawLog).

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "logs/log_index.hpp"
#include "logs/qa_data.hpp"
#include "logs/slot_reader.hpp"

namespace tessera::logs {

// A reader: the answer to a question in one line.
using LogReader = std::function<ReaderAnswer(std::string_view question, const IndexedLine& line)>;

// The readers of the command line: "slots" (a trained SlotReader) and the baseline
// "first-variable" (the first Drain variable of the line).
LogReader slot_reader(std::shared_ptr<const SlotReader> model);
LogReader first_variable_reader();
// The slot reader shipped with the project: $TESSERA_DATA_DIR/models/logqa-slots.json, or
// the source tree's data/models/logqa-slots.json.
std::string default_slot_model();

struct QaAnswer {
  std::string answer;  // "" when no line matched
  double score = 0;
  std::vector<LogHit> hits;         // best first
  std::optional<IndexedLine> line;  // the line the answer comes from
};
// Retrieves `top_k` lines and reads the first `read_lines` of them: the answer with the
// highest reader score wins (an earlier line on a tie). Reading more than the best line
// helps when the question names a line's neighbours (OpenSSH: "what port does ubuntu
// use?" retrieves "Invalid user ubuntu" before the line with the port).
QaAnswer ask(const LogIndex& index, const LogReader& reader, std::string_view question,
             std::size_t top_k = 10, std::size_t read_lines = 1);

struct QaPrediction {
  const QaExample* example = nullptr;
  QaAnswer answer;
  bool exact = false;
  double f1 = 0;
  std::size_t gold_rank = 0;  // 1-based rank of the first hit holding RawLog; 0: none
  double seconds = 0;         // retrieval and reading
};

struct QaReport {
  std::size_t questions = 0;
  std::size_t no_match = 0;        // questions none of whose terms is in the log
  double exact_match = 0, f1 = 0;  // means over questions, in [0, 1]
  double recall_at_1 = 0, recall_at_5 = 0, recall_at_10 = 0;
  double mean_seconds = 0;
  std::vector<QaPrediction> predictions;  // in the order of the examples
};
QaReport evaluate_qa(const LogIndex& index, const LogReader& reader,
                     const std::vector<QaExample>& examples, std::size_t read_lines = 1);

// One JSON object a line: Question, Answer (gold), Prediction, Score, Line (0-based, or
// null), ExactMatch, F1, GoldRank and Retrieved (the first 5 lines: line, score, text).
void write_predictions(const QaReport& report, const LogIndex& index, std::ostream& out);

// The line whose content holds `raw_log` (the retriever asked with the line itself).
std::optional<IndexedLine> find_line(const LogIndex& index, std::string_view raw_log);
// Training examples for a reader: each QA pair with its gold line's content and template;
// a pair whose RawLog is in no line keeps RawLog as its content (counted in `unmatched`).
std::vector<ReadingExample> reading_examples(const LogIndex& index,
                                             const std::vector<QaExample>& examples,
                                             std::size_t* unmatched = nullptr);

}  // namespace tessera::logs
