#pragma once
// Helpers shared by policies that keep one queue per worker.

#include <cstdint>
#include <span>
#include <vector>

#include "tessera/policy.hpp"

namespace tessera::sched {

// splitmix64: a tiny, good-quality mixer for policies that need reproducible randomness.
inline std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// The workers able to run `task`.
inline std::vector<WorkerId> capable_workers(const PolicyHost& host, TaskView task) {
  std::vector<WorkerId> out;
  for (const WorkerInfo& w : host.workers()) {
    if (host.can_execute(task, w.id)) out.push_back(w.id);
  }
  return out;
}

// Picks the `draw`-th capable worker of `task` (modulo their number) without allocating.
inline WorkerId nth_capable_worker(const PolicyHost& host, TaskView task, std::uint64_t draw) {
  std::size_t count = 0;
  for (const WorkerInfo& w : host.workers()) count += host.can_execute(task, w.id) ? 1 : 0;
  if (count == 0) return kAnyWorker;
  std::size_t pick = static_cast<std::size_t>(draw % count);
  for (const WorkerInfo& w : host.workers()) {
    if (host.can_execute(task, w.id) && pick-- == 0) return w.id;
  }
  return kAnyWorker;
}

}  // namespace tessera::sched
