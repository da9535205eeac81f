#pragma once
// The deque-model placement of StarPU's dmda, written once for every policy that places a
// ready task on arrival: dmda, dmdas, and INSPIRIT's dynamic stage (and through it the StarPU
// plug-in). The task goes to the capable worker minimising
//   alpha * (end(w) - best end) + beta * expected transfer time to w,
// where end(w) = when the worker could start it (what the caller's queue model says) + the
// task's expected length there. While the task has no prediction on some capable worker, it
// goes to calibrate there instead: to the one with the fewest queued tasks (lengths being
// unknown, StarPU's dmda counts tasks too).
//
// A Machine has worker_count(), can_execute(task, w), expected_length_us(task, w) (an
// optional<double>) and expected_transfer_us(task, w), workers numbered from 0.

#include <cstddef>
#include <limits>
#include <optional>
#include <vector>

namespace tessera::sched {

struct Placement {
  static constexpr std::size_t kNone = std::numeric_limits<std::size_t>::max();
  std::size_t worker = kNone;  // kNone: no worker can run the task
  double length_us = 0.0;      // expected duration there (0 while calibrating)
  bool calibrating = false;
};

struct PlacementCandidate {
  std::size_t worker;
  double end;
  double transfer;
  double length;
};

// `start_of(w)`: when worker w could start the task; `queued_of(w)`: how many tasks wait on
// w (for calibration). `scratch` is reused between calls.
template <class Machine, class Task, class StartOf, class QueuedOf>
Placement place_earliest_finish(const Machine& machine, const Task& task, double alpha, double beta,
                                StartOf&& start_of, QueuedOf&& queued_of,
                                std::vector<PlacementCandidate>& scratch) {
  scratch.clear();
  Placement calibrate;
  double calibrate_load = std::numeric_limits<double>::infinity();
  double best_end = std::numeric_limits<double>::infinity();
  for (std::size_t w = 0; w < machine.worker_count(); ++w) {
    if (!machine.can_execute(task, w)) continue;
    const std::optional<double> length = machine.expected_length_us(task, w);
    if (!length) {
      const double load = queued_of(w);
      if (load < calibrate_load) {
        calibrate_load = load;
        calibrate = {w, 0.0, true};
      }
      continue;
    }
    const double end = start_of(w) + *length;
    scratch.push_back({w, end, machine.expected_transfer_us(task, w), *length});
    if (end < best_end) best_end = end;
  }
  if (calibrate.calibrating) return calibrate;
  Placement best;
  double best_fitness = std::numeric_limits<double>::infinity();
  for (const PlacementCandidate& c : scratch) {
    const double fitness = alpha * (c.end - best_end) + beta * c.transfer;
    if (fitness < best_fitness) {
      best_fitness = fitness;
      best = {c.worker, c.length, false};
    }
  }
  // Fitness values that compare with nothing (a NaN weight, infinite transfers): the
  // earliest end wins rather than no worker at all.
  if (best.worker == Placement::kNone && !scratch.empty()) {
    const PlacementCandidate* pick = &scratch.front();
    for (const PlacementCandidate& c : scratch) {
      if (c.end < pick->end) pick = &c;
    }
    best = {pick->worker, pick->length, false};
  }
  return best;
}

}  // namespace tessera::sched
