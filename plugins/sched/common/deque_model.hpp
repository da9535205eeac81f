#pragma once
// The "deque model" placement shared by dmda and dmdas (after StarPU's): each worker has a
// queue and an expected end time; a ready task goes to the worker minimising
//   alpha * (expected end there - best expected end) + beta * expected transfer time,
// and its input data start moving there at once (prefetch). While a task type has no
// prediction on some capable worker, the task goes to such a worker to calibrate it (the
// least loaded one), as StarPU's dmda does.

#include <algorithm>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "tessera/policy.hpp"

namespace tessera::sched {

class DequeModelPolicy : public Policy {
 public:
  explicit DequeModelPolicy(const PolicyOptions& options)
      : alpha_(options.get_double("alpha", 1.0)), beta_(options.get_double("beta", 1.0)) {}

  void on_attach() override {
    const std::size_t n = host().workers().size();
    state_.assign(n, WorkerState{});
  }

  WorkerId push(TaskView task) override {
    std::lock_guard lock(mutex_);
    const double now = host().now_us();
    const WorkerId target = place(task, now);
    WorkerState& s = state_[static_cast<std::size_t>(target)];
    const double length = task.slot().d[0];
    s.queued_us += length;
    enqueue(s.queue, task);
    host().prefetch(task, target);
    return target;
  }

  TaskView pop(WorkerId worker) override {
    std::lock_guard lock(mutex_);
    WorkerState& s = state_[static_cast<std::size_t>(worker)];
    if (s.queue.empty()) return {};
    const std::size_t index = choose(s.queue, worker);
    const TaskView task = s.queue[index];
    s.queue.erase(s.queue.begin() + static_cast<std::ptrdiff_t>(index));
    const double length = task.slot().d[0];
    s.queued_us = std::max(0.0, s.queued_us - length);
    s.running_end = host().now_us() + length;
    return task;
  }

  void on_finish(TaskView /*task*/, WorkerId worker) override {
    std::lock_guard lock(mutex_);
    state_[static_cast<std::size_t>(worker)].running_end = host().now_us();
  }

 protected:
  // Inserts a task into a worker's queue (FIFO for dmda, by priority for dmdas).
  virtual void enqueue(std::vector<TaskView>& queue, TaskView task) = 0;
  // Which queued task the worker runs next.
  virtual std::size_t choose(const std::vector<TaskView>& queue, WorkerId worker) = 0;

 private:
  struct WorkerState {
    std::vector<TaskView> queue;
    double queued_us = 0.0;    // expected work waiting in the queue
    double running_end = 0.0;  // expected end of the task running now
  };

  double expected_end(const WorkerState& s, double now) const {
    return std::max(now, s.running_end) + s.queued_us;
  }

  WorkerId place(TaskView task, double now) {
    const auto workers = host().workers();
    struct Candidate {
      WorkerId id;
      double end;
      double transfer;
      double length;
    };
    std::vector<Candidate> candidates;
    WorkerId calibrate = kAnyWorker;
    double calibrate_end = std::numeric_limits<double>::infinity();
    double best_end = std::numeric_limits<double>::infinity();
    for (const WorkerInfo& w : workers) {
      if (!host().can_execute(task, w.id)) continue;
      const WorkerState& s = state_[static_cast<std::size_t>(w.id)];
      const std::optional<double> length = host().expected_length_us(task, w.id);
      if (!length) {
        if (expected_end(s, now) < calibrate_end) {
          calibrate_end = expected_end(s, now);
          calibrate = w.id;
        }
        continue;
      }
      const double end = expected_end(s, now) + *length;
      candidates.push_back({w.id, end, host().expected_transfer_us(task, w.id), *length});
      best_end = std::min(best_end, end);
    }
    if (calibrate != kAnyWorker) {
      task.slot().d[0] = 0.0;
      return calibrate;
    }
    WorkerId best = kAnyWorker;
    double best_fitness = std::numeric_limits<double>::infinity();
    double best_length = 0.0;
    for (const Candidate& c : candidates) {
      const double fitness = alpha_ * (c.end - best_end) + beta_ * c.transfer;
      if (fitness < best_fitness) {
        best_fitness = fitness;
        best = c.id;
        best_length = c.length;
      }
    }
    task.slot().d[0] = best_length;
    return best;
  }

  double alpha_;
  double beta_;
  std::mutex mutex_;
  std::vector<WorkerState> state_;
};

}  // namespace tessera::sched
