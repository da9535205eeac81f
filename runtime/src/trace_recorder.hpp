#pragma once
// TraceRecorder: every executed task's worker, start and end time, kept per worker (no
// lock on the hot path) and written as Chrome trace JSON, which Perfetto and
// chrome://tracing open. It is a task observer: the runtime adds it to its observers when a
// trace file is configured.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tessera/observer.hpp"
#include "tessera/worker.hpp"

namespace tessera::detail {

struct TraceEvent {
  std::uint64_t task_id = 0;
  std::string name;
  std::string codelet;
  double start_us = 0.0;
  double end_us = 0.0;
  int priority = 0;
  bool failed = false;
};

class TraceRecorder final : public TaskObserver {
 public:
  // One buffer per worker.
  explicit TraceRecorder(std::size_t workers) : per_worker_(workers) {}
  // Called by the task's worker only.
  void on_task_end(const TaskEvent& task) override;
  // Throws Error naming the path if it cannot be written.
  void write_chrome_json(const std::string& path, std::span<const WorkerInfo> workers) const;

 private:
  std::vector<std::vector<TraceEvent>> per_worker_;
};

}  // namespace tessera::detail
