#pragma once
// Observers: a small interface for watching tasks run, as Taskflow's on_entry/on_exit.
// The trace recorder is one; a progress meter or a profiler can be another.
//
//   struct Counter : tessera::TaskObserver {
//     std::atomic<int> ended{0};
//     void on_task_end(const tessera::TaskEvent&) override { ++ended; }
//   };
//   auto counter = std::make_shared<Counter>();
//   rt.add_observer(counter);

#include <cstdint>
#include <string_view>

#include "tessera/worker.hpp"

namespace tessera {

// How a task ended.
enum class TaskStatus : std::uint8_t {
  pending,    // not finished yet (submitted, ready, or running)
  succeeded,  // its kernel returned
  failed,     // its kernel (or completion callback) threw
  cancelled,  // it never ran: cancelled by the user, or because a task it depends on failed
};

constexpr std::string_view to_string(TaskStatus status) {
  switch (status) {
    case TaskStatus::pending:
      return "pending";
    case TaskStatus::succeeded:
      return "succeeded";
    case TaskStatus::failed:
      return "failed";
    case TaskStatus::cancelled:
      return "cancelled";
  }
  return "unknown";
}

// One task as an observer sees it. The views are valid during the call only.
struct TaskEvent {
  std::uint64_t id = 0;   // submission order, from 0
  std::string_view name;  // the task's name, or its codelet's
  std::string_view codelet;
  WorkerId worker = kAnyWorker;  // the worker that runs it
  int priority = 0;
  double start_us = 0.0;                    // runtime clock (virtual time in a simulation)
  double end_us = 0.0;                      // on_task_end only
  TaskStatus status = TaskStatus::pending;  // on_task_end: succeeded or failed
};

// Called on the thread of the worker that runs the task (in a simulation, the simulator's
// thread). Keep both short: they run on the worker between two tasks. They should not
// throw: an exception that leaves one is caught and written to standard error.
class TaskObserver {
 public:
  virtual ~TaskObserver() = default;
  // The kernel is about to run.
  virtual void on_task_start(const TaskEvent& /*task*/) {}
  // The kernel ended (its successors are not released yet).
  virtual void on_task_end(const TaskEvent& /*task*/) {}
};

}  // namespace tessera
