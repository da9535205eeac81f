#pragma once
// INSPIRIT's planned start: a whole-graph plan, followed while reality keeps to it.
//
// When the first worker asks for work, the graph known then is planned at once: a list
// schedule with insertion, taking tasks by INSPIRIT's bottom levels (and, as a second
// candidate, by HEFT's mean-cost ranks), then improved by forward-backward passes
// (common/list_planner.hpp); the shortest plan is kept. Workers then run their planned
// tasks in planned order, and each finished task starts moving its outputs to the workers
// planned for its successors.
//
// A plan is only as good as the models behind it: it knows neither memory capacity nor
// contention on shared links. So each finish is compared with the plan. Once a task ends
// later than planned by more than `tolerance` of the planned makespan, the plan is
// abandoned: its ready tasks are handed to INSPIRIT's dynamic scheduler (core.hpp), which
// runs everything from then on. Tasks submitted after the plan was made never join it.
//
// With batches (Runtime::pause/resume), the plan is made when the batch is complete, over
// all of it, instead of at the first pop; and each batch gets its own plan, provided the
// previous plan is over (followed to its end, or abandoned) when the batch begins. A plan
// followed to its end releases its state, so a job of many rounds keeps a flat memory.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "common/host_problem.hpp"
#include "tessera/policy.hpp"

namespace tessera::inspirit {

namespace planning = tessera::sched::planning;

class PlanFollower {
 public:
  struct Options {
    bool enabled = true;
    int rounds = 20;                 // forward-backward rounds per start, at most
    int restarts = 30;               // starts from perturbed ranks, within the budget
    std::size_t budget = 2'000'000;  // task placements before no new restart begins
    double tolerance = 0.02;         // lag that abandons the plan, as a fraction of its makespan
    std::size_t lookahead = 4;       // planned tasks per worker whose inputs may move ahead
    // Planning stops once it has taken this fraction of the best planned makespan, on the
    // host's clock: a real run pays for planning, a simulation (whose clock stands still
    // while the policy thinks) does not, so there the search always runs to its budget.
    double time_share = 0.02;
  };
  enum class State { collecting, following, abandoned };

  explicit PlanFollower(Options options)
      : options_(options), state_(options.enabled ? State::collecting : State::abandoned) {}

  // A batch begins (the runtime paused): if no plan is being followed, collect a new one.
  void batch_begin();
  // The batch is complete: plan what was collected.
  void batch_submitted(PolicyHost& host);
  // A task was submitted. Before the plan exists, it will be part of it.
  void submitted(TaskView task);
  // A task is ready. Returns the worker to wake: kAnyWorker while the plan is being
  // collected (the task waits for it), its planned worker while following it; nullopt when
  // the plan does not cover the task: the dynamic scheduler takes it.
  std::optional<WorkerId> ready(PolicyHost& host, TaskView task);
  // The next planned task of `worker` if it is ready, else none. Makes the plan first.
  TaskView pop(PolicyHost& host, WorkerId worker);
  // A task ended: abandons the plan if it ended too late, else moves its outputs on.
  void finished(PolicyHost& host, TaskView task);
  void cancelled(TaskView task);
  // Ready tasks the dynamic scheduler must take over since the plan was abandoned (each
  // returned once). Call after pop and finished.
  std::vector<TaskView> take_handover();

  State state() const;
  double planned_makespan_us() const;

 private:
  struct Node {
    TaskView task;
    std::vector<planning::Input> inputs;
    std::size_t worker = 0;    // index into the host's workers
    std::size_t position = 0;  // in its worker's sequence
    double end_us = 0.0;       // planned, absolute
    bool ready = false;
    bool taken = false;
    bool done = false;
  };

  void make_plan(PolicyHost& host);
  void abandon();
  void clear();  // forgets the plan (under the lock)
  Node* find(TaskView task);
  // Whether a planned task is among the next `lookahead` of its worker. Only those get their
  // inputs moved: data a task needs much later would hold up the links that tasks needing
  // theirs now are waiting for (and crowd the device's memory).
  bool in_window(const Node& node) const;
  // Starts moving the inputs of `node` that exist already (from before the graph, or from
  // a finished predecessor); with `producer`, only that predecessor's outputs.
  void prefetch_inputs(PolicyHost& host, const Node& node,
                       std::size_t producer = planning::kInitial);

  Options options_;
  mutable std::mutex mutex_;
  // Read without the lock on the hot paths (submit, push, pop, finish): once abandoned, the
  // follower is a no-op, and only the lock holder changes the state.
  std::atomic<State> state_;
  std::atomic<bool> handover_pending_{false};
  std::vector<Node> nodes_;
  std::vector<planning::KnownTask> known_;  // the graph to plan, one per node
  std::unordered_map<std::uint64_t, std::size_t> index_;
  std::vector<std::vector<std::size_t>> sequence_;  // per worker, planned order
  std::vector<std::size_t> next_;
  std::vector<std::vector<std::size_t>> returned_;  // per worker: handed out, pushed back
  std::size_t done_ = 0;                            // nodes done: the plan is over when all are
  double makespan_us_ = 0.0;
  std::vector<TaskView> handover_;
};

}  // namespace tessera::inspirit
