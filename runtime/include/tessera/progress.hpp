#pragma once
// A progress line on standard error for long runs: every `period` seconds of wall time, how
// many tasks have ended, of how many submitted, at what rate, and (in a simulation) the
// virtual time reached. Runs shorter than one period print nothing.
//
//   tessera: 1,234,567 of 2,000,000 tasks done (61.7%) in 10.0 s, 123,457 tasks/s, about 6 s left
//
// Config::progress_seconds (TESSERA_PROGRESS) and SimOptions::progress_seconds attach one;
// the `tessera` commands do so every 5 seconds unless given --progress 0.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <string>

#include "tessera/observer.hpp"

namespace tessera {

class ProgressMeter final : public TaskObserver {
 public:
  struct Options {
    double period_seconds = 5.0;  // > 0
    std::string label = "tessera";
    bool virtual_clock = false;  // show the tasks' clock (a simulation's virtual time)
    std::FILE* out = stderr;
  };
  // `submitted` says how many tasks were submitted so far (the total, once known).
  ProgressMeter(Options options, std::function<std::uint64_t()> submitted);

  void on_task_end(const TaskEvent& task) override;
  std::uint64_t ended() const { return ended_.load(std::memory_order_relaxed); }
  std::uint64_t lines_printed() const { return lines_.load(std::memory_order_relaxed); }
  // The line that would be printed now.
  std::string line() const;

 private:
  using Clock = std::chrono::steady_clock;
  Options options_;
  std::function<std::uint64_t()> submitted_;
  Clock::time_point start_;
  std::atomic<std::int64_t> next_ns_;  // since start_
  std::atomic<std::uint64_t> ended_{0};
  std::atomic<std::uint64_t> lines_{0};
  std::atomic<double> clock_us_{0.0};
  std::mutex print_mutex_;
};

}  // namespace tessera
