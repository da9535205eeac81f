#pragma once
// TraceRecorder: every executed task's worker, start and end time, kept per worker (no
// lock on the hot path) and written as Chrome trace JSON, which Perfetto and
// chrome://tracing open.

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

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

class TraceRecorder {
 public:
  // Allocates one buffer per worker; `enabled` decides whether record() keeps anything.
  void configure(std::size_t workers, bool enabled);
  bool enabled() const noexcept { return enabled_; }
  // Called by worker `worker` only.
  void record(WorkerId worker, TraceEvent event);
  // Throws Error naming the path if it cannot be written.
  void write_chrome_json(const std::string& path, std::span<const WorkerInfo> workers) const;

 private:
  bool enabled_ = false;
  std::vector<std::vector<TraceEvent>> per_worker_;
};

}  // namespace tessera::detail
