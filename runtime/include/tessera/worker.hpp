#pragma once
// Workers: execution units of one architecture, each attached to one memory node.

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/arch.hpp"

namespace tessera {

using WorkerId = std::int32_t;

// Returned by Policy::push when any worker may take the task.
inline constexpr WorkerId kAnyWorker = -1;

struct WorkerInfo {
  WorkerId id = 0;
  Arch arch = Arch::cpu;
  int memory_node = 0;
  int core = -1;                    // OS index of the core it is bound to; -1 if unbound
  std::string name;                 // "cpu0", "cuda1", ...
  std::string kind;                 // cost class: the arch name, or a device model ("k40m")
  std::vector<WorkerId> neighbors;  // the other workers, nearest (most shared cache) first
};

// Per-worker counters since the runtime started (or since the last reset).
struct WorkerStats {
  WorkerId id = 0;
  std::string name;
  std::uint64_t tasks = 0;  // tasks executed
  double busy_us = 0.0;     // time spent in kernels
  // Times the worker, asleep, found work that no wake-up had announced (a missed wake-up,
  // which a sleeping worker's periodic look turns into a delay of at most 20 ms). Expected to
  // stay 0; counted since the runtime started, not reset by reset_stats().
  std::uint64_t late_wakeups = 0;
};

}  // namespace tessera
