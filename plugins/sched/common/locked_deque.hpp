#pragma once
// A mutex-protected double-ended queue of ready tasks, the building block of the
// per-worker-queue policies. Pops take a predicate so a worker only takes tasks it can run.

#include <atomic>
#include <deque>
#include <mutex>

#include "tessera/policy.hpp"
#include "tessera/spin_mutex.hpp"

namespace tessera::sched {

class LockedDeque {
 public:
  void push_back(TaskView task) {
    std::lock_guard lock(mutex_);
    tasks_.push_back(task);
    size_.store(tasks_.size(), std::memory_order_release);
  }
  void push_front(TaskView task) {
    std::lock_guard lock(mutex_);
    tasks_.push_front(task);
    size_.store(tasks_.size(), std::memory_order_release);
  }
  // The first task from the front that `can_run` accepts, removed; null if none.
  template <class Pred>
  TaskView pop_front_if(Pred can_run) {
    if (size_.load(std::memory_order_acquire) == 0) return {};
    std::lock_guard lock(mutex_);
    if (!tasks_.empty() && can_run(tasks_.front())) {  // the usual case, without erase()
      const TaskView task = tasks_.front();
      tasks_.pop_front();
      size_.store(tasks_.size(), std::memory_order_release);
      return task;
    }
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
      if (can_run(*it)) return take(it);
    }
    return {};
  }
  // The first task from the back that `can_run` accepts, removed; null if none.
  template <class Pred>
  TaskView pop_back_if(Pred can_run) {
    if (size_.load(std::memory_order_acquire) == 0) return {};
    std::lock_guard lock(mutex_);
    if (!tasks_.empty() && can_run(tasks_.back())) {
      const TaskView task = tasks_.back();
      tasks_.pop_back();
      size_.store(tasks_.size(), std::memory_order_release);
      return task;
    }
    for (auto it = tasks_.rbegin(); it != tasks_.rend(); ++it) {
      if (can_run(*it)) return take(std::next(it).base());
    }
    return {};
  }
  std::size_t size() const { return size_.load(std::memory_order_acquire); }

 private:
  TaskView take(std::deque<TaskView>::iterator it) {
    TaskView task = *it;
    tasks_.erase(it);
    size_.store(tasks_.size(), std::memory_order_release);
    return task;
  }

  mutable SpinMutex mutex_;  // held for one push or pop
  // Tasks queued, read without the lock: an idle worker looking at empty queues (a thief
  // going round its neighbours) does not take their locks.
  std::atomic<std::size_t> size_{0};
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
