#pragma once
// The "deque model" policies dmda and dmdas (after StarPU's): each worker has a queue and an
// expected end time; a ready task goes where it is expected to finish first, transfers
// counted (common/earliest_finish.hpp, the rule INSPIRIT's dynamic stage uses too), and its
// input data start moving there at once (prefetch).

#include <algorithm>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/earliest_finish.hpp"
#include "common/host_machine.hpp"
#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched {

// The options of dmda and dmdas.
inline const std::vector<PolicyOptionInfo>& deque_model_options() {
  static const std::vector<PolicyOptionInfo> options{
      {"alpha", "1", "weight of the expected finish time in placement"},
      {"beta", "1", "weight of the expected transfer time in placement"}};
  return options;
}

class DequeModelPolicy : public Policy {
 public:
  explicit DequeModelPolicy(const PolicyOptions& options)
      : alpha_(options.get_double("alpha", 1.0)), beta_(options.get_double("beta", 1.0)) {}

  void on_attach() override {
    machine_.policy_host = &host();
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
    const Placement p = place_earliest_finish(
        machine_, task, alpha_, beta_, [&](std::size_t w) { return expected_end(state_[w], now); },
        [&](std::size_t w) { return queued_tasks(state_[w], now); }, candidates_);
    if (p.worker == Placement::kNone)
      throw Error("policy '" + std::string(name()) + "': no worker can run task " +
                  std::to_string(task.id()));
    task.slot().d[0] = p.length_us;
    return static_cast<WorkerId>(p.worker);
  }

  // For calibration: queued tasks, and half a task for one running.
  static double queued_tasks(const WorkerState& s, double now) {
    return static_cast<double>(s.queue.size()) + (s.running_end > now ? 0.5 : 0.0);
  }

  double alpha_;
  double beta_;
  HostMachine machine_;
  std::mutex mutex_;
  std::vector<WorkerState> state_;
  std::vector<PlacementCandidate> candidates_;
};

}  // namespace tessera::sched
