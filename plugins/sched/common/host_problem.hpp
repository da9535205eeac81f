#pragma once
// Builds a list-planning problem (list_planner.hpp) from what a policy's host knows: the
// workers, their memory nodes and links, the performance models, and the data each edge of
// the task graph carries.

#include <cstddef>
#include <span>
#include <vector>

#include "common/list_planner.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched::planning {

// The one rule for "this task produced what that access reads": `writer` writes the data
// that `input` (an access of another task, read by it) reads. Scratch accesses carry nothing.
bool produces(TaskView writer, const AccessView& input);
// Bytes that `from` writes and `to` reads.
double shared_bytes(TaskView from, TaskView to);

struct KnownTask {
  TaskView task;
  std::vector<std::size_t> preds;  // indices of earlier KnownTasks
  WorkerId pinned = kAnyWorker;    // the only worker it may be planned on, if any
};

// What a task reads, and which of its predecessors wrote it.
inline constexpr std::size_t kInitial = static_cast<std::size_t>(-1);
struct Input {
  std::size_t access;    // index into TaskView::access
  std::size_t producer;  // index of the KnownTask that writes the version read, or kInitial:
                         // the data's version from before the graph
};
std::vector<Input> inputs_of(const KnownTask& t, std::span<const KnownTask> tasks);

// A task without a model prediction on a worker that can run it costs 0 there; the number of
// such (task, worker) pairs is stored in `*uncalibrated` when given. `*inputs`, when given,
// receives inputs_of() of every task, in order (the problem is built from them).
Problem problem_from(const PolicyHost& host, std::span<const KnownTask> tasks,
                     std::size_t* uncalibrated = nullptr,
                     std::vector<std::vector<Input>>* inputs = nullptr);
// The same in two steps, for a problem that grows as tasks are submitted: the machine alone
// (workers, memory nodes, links), then one task at a time (tasks[index], whose predecessors
// were appended before), returning its uncalibrated (task, worker) pairs.
Problem machine_problem(const PolicyHost& host);
std::size_t append_task(const PolicyHost& host, Problem& problem, std::span<const KnownTask> tasks,
                        std::size_t index, std::vector<Input>* inputs = nullptr);

// The plan's worker index back to the host's worker id.
inline WorkerId worker_id(const PolicyHost& host, std::size_t index) {
  return host.workers()[index].id;
}

}  // namespace tessera::sched::planning
