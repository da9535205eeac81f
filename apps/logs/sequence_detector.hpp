#pragma once
// Next-event models over windows of event ids, for top-k anomaly detection: a window is
// anomalous when one of its events is not among the model's k most likely next events.
//   loglm    the model zoo's decoder (LogGPT of Han et al.: a GPT-2 of 6 layers, 6 heads,
//            width 60) trained as a language model over each window's events, with
//            Tessera's task-graph trainer;
//   deeplog  DeepLog (Du et al., CCS 2017): a 2-layer LSTM of 64 units predicting each
//            event from the 10 before it.
// Both learn from normal windows only, and score windows in parallel tasks. LibTorch is
// hidden behind this header.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <tessera/runtime.hpp>

#include "logs/windows.hpp"

namespace tessera::logs {

struct SequenceModelOptions {
  std::string kind = "loglm";                      // or "deeplog"
  std::int64_t layers = 6, heads = 6, width = 60;  // loglm
  std::int64_t history = 10, hidden = 64;          // deeplog
  std::int64_t steps = 300;                        // optimizer steps
  std::int64_t batch = 16;  // windows (loglm) or 4x this many histories (deeplog) per step
  double learning_rate = 1e-3;
  std::uint64_t seed = 1;
  std::function<void(std::int64_t step, double loss)> on_step;  // progress, every 50 steps

  // Throws InvalidArgument naming the first bad option.
  void validate() const;
};

class SequenceDetector {
 public:
  // `events`: the event vocabulary (EventLog::templates.size()).
  SequenceDetector(Runtime& runtime, std::size_t events, SequenceModelOptions options);
  ~SequenceDetector();
  SequenceDetector(const SequenceDetector&) = delete;
  SequenceDetector& operator=(const SequenceDetector&) = delete;

  // Trains on the windows given (pass the normal ones). Throws InvalidArgument when none.
  void fit(const EventLog& log, const std::vector<Window>& windows);
  // Per window, per line of it: the rank of its event among the model's predictions
  // (0: the model's first choice).
  std::vector<std::vector<std::uint32_t>> ranks(const EventLog& log,
                                                const std::vector<Window>& windows) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::logs
