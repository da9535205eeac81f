#pragma once
// A mutex-protected double-ended queue of ready tasks, the building block of the
// per-worker-queue policies. Pops take a predicate so a worker only takes tasks it can run.

#include <deque>
#include <mutex>

#include "tessera/policy.hpp"

namespace tessera::sched {

class LockedDeque {
 public:
  void push_back(TaskView task) {
    std::lock_guard lock(mutex_);
    tasks_.push_back(task);
  }
  void push_front(TaskView task) {
    std::lock_guard lock(mutex_);
    tasks_.push_front(task);
  }
  // The first task from the front that `can_run` accepts, removed; null if none.
  template <class Pred>
  TaskView pop_front_if(Pred can_run) {
    std::lock_guard lock(mutex_);
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
      if (can_run(*it)) return take(it);
    }
    return {};
  }
  // The first task from the back that `can_run` accepts, removed; null if none.
  template <class Pred>
  TaskView pop_back_if(Pred can_run) {
    std::lock_guard lock(mutex_);
    for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it) {
      if (can_run(*it)) return take(std::next(it).base());
    }
    return {};
  }
  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return tasks_.size();
  }

 private:
  TaskView take(std::deque<TaskView>::iterator it) {
    TaskView task = *it;
    tasks_.erase(it);
    return task;
  }

  mutable std::mutex mutex_;
  std::deque<TaskView> tasks_;
};

// Pads a per-worker object to its own cache line, so workers do not false-share.
template <class T>
struct alignas(64) PerWorker {
  T value;
};

// A predicate accepting the tasks that `worker` can run.
inline auto runnable_by(const PolicyHost& host, WorkerId worker) {
  return [&host, worker](TaskView t) { return host.can_execute(t, worker); };
}

}  // namespace tessera::sched
