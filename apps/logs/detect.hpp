#pragma once
// Log anomaly detection end to end: windows over a parsed log, a chronological split, one
// detector (pca, deeplog, loglm) fitted on the training windows, its setting (top-k) chosen
// on the validation windows, and verdicts on the test windows, per window and per line; or
// (llm) a language model behind an OpenAI-compatible endpoint asked about each test window.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <tessera/runtime.hpp>

#include "logs/llm_detector.hpp"
#include "logs/pca_detector.hpp"
#include "logs/sequence_detector.hpp"
#include "logs/windows.hpp"

namespace tessera::logs {

struct DetectOptions {
  std::string method = "loglm";  // pca, deeplog, loglm or llm
  WindowSpec window;
  // Top-k of the sequence models; 0: the k with the best F1 on the validation windows.
  std::size_t top_k = 0;
  PcaOptions pca;
  SequenceModelOptions sequence;
  ChatEndpoint llm;  // method llm: where to ask (its url is required)
  LlmDetectOptions llm_windows;
};

// The verdict on one line: that of the window it was judged in (of those holding it, the
// one with the highest score; the first on ties).
struct LineVerdict {
  std::uint64_t line_id = 0;
  bool anomalous = false;
  std::size_t window = 0;  // index among the test windows
  double score = 0;        // pca: SPE / threshold; sequence models: events outside the top-k;
                           // llm: 1 when the answer was abnormal
};

struct DetectReport {
  std::string method;
  std::size_t top_k = 0;  // the k used (sequence models)
  std::size_t train_windows = 0, valid_windows = 0, test_windows = 0;
  std::size_t normal_train_windows = 0;  // what the sequence models learnt from
  Detection valid, test;                 // window-level (zero when there are no labels)
  // llm: answers that followed no format and windows whose request failed (both judged
  // normal), and the client's counts; valid stays zero (nothing is chosen on it).
  std::size_t malformed_answers = 0, failed_windows = 0;
  ChatStats llm;
  std::vector<LineVerdict> lines;  // the test lines, in order
};

// Detects anomalies among lines [split.valid, split.size) of `log`, after fitting on
// [0, split.train) and choosing settings on [split.train, split.valid). Throws
// InvalidArgument when a part has no window, or when top_k is 0 without labels to choose it.
DetectReport detect(Runtime& runtime, const EventLog& log, const Split& split,
                    const DetectOptions& options);

// CSV: LineId,Anomalous,Window,Score (one row per test line).
void write_verdicts(const DetectReport& report, std::ostream& out);

}  // namespace tessera::logs
