#pragma once
// Parsed logs as the anomaly detectors see them: one event id per line, its time and its
// label; windows over them (fixed or sliding, by line count or by time); the chronological
// train / validation / test split; and precision, recall and F1 over windows.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "logs/drain.hpp"

namespace tessera::logs {

struct EventLog {
  std::vector<std::string> templates;   // per event id
  std::vector<std::uint32_t> events;    // per line
  std::vector<double> times;            // per line, seconds, non-decreasing (empty: none)
  std::vector<std::uint8_t> anomalous;  // per line, 1 when labelled anomalous (empty: no labels)
  std::vector<std::uint64_t> line_ids;  // per line, its 1-based number in the input file
  std::size_t out_of_order = 0;         // lines whose time went back (raised to the last one)

  std::size_t size() const noexcept { return events.size(); }
  bool labelled() const noexcept { return !anomalous.empty(); }
};

// Where the detector finds a line's time and its label among the log format's fields.
struct EventFields {
  std::string time;          // a field holding seconds (Unix time); empty: no times
  std::string label;         // a field holding the label; empty: no labels
  std::string normal = "-";  // the label value of normal lines (BGL, Thunderbird: "-")
};

// Parses `lines` (all of them, unlabelled, as Drain does) and extracts events, times and
// labels. Lines that do not match the format are left out (line_ids keep their numbers).
// Throws InvalidArgument naming a field the format lacks or a time that is not a number.
EventLog event_log(const std::vector<std::string>& lines, const DrainPreset& preset,
                   const EventFields& fields);

struct WindowSpec {
  bool by_time = false;
  double size = 20;  // lines or seconds
  double step = 20;  // step == size: fixed windows; step < size: sliding
  // "count:SIZE[,STEP]" or "time:SECONDS[,STEP]". Throws InvalidArgument naming the text.
  static WindowSpec parse(std::string_view text);
  std::string describe() const;
};

struct Window {
  std::size_t begin = 0, end = 0;  // lines [begin, end) of the EventLog
  bool anomalous = false;          // any line of it labelled anomalous
};

// The non-empty windows over lines [first, last) of `log`, in order.
std::vector<Window> make_windows(const EventLog& log, std::size_t first, std::size_t last,
                                 const WindowSpec& spec);

// Lines [0, train) train, [train, valid) validate, [valid, size) test: in file order, which
// is time order, so that no detector learns from the future it is judged on.
struct Split {
  std::size_t train = 0, valid = 0, size = 0;
};
// Throws InvalidArgument unless 0 < train_fraction, valid_fraction >= 0 and their sum < 1.
Split chronological_split(std::size_t lines, double train_fraction, double valid_fraction);

struct Detection {
  std::size_t tp = 0, fp = 0, fn = 0, tn = 0;
  double precision() const;
  double recall() const;
  double f1() const;
};
// Window-level scores of `verdicts` (one per window) against the windows' labels.
Detection score_windows(const std::vector<Window>& windows, const std::vector<bool>& verdicts);

// Top-k detection over per-event ranks (SequenceDetector::ranks): a window is anomalous when
// one of its events ranks k or worse.
std::vector<bool> top_k_verdicts(const std::vector<std::vector<std::uint32_t>>& ranks,
                                 std::size_t k);
// The k in [1, max_k] whose verdicts have the best F1 on `windows` (their labels); ties go
// to the largest k (the fewest alarms).
std::size_t choose_top_k(const std::vector<std::vector<std::uint32_t>>& ranks,
                         const std::vector<Window>& windows, std::size_t max_k);

}  // namespace tessera::logs
