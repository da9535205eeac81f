#pragma once
// Full-graph list scheduling on heterogeneous workers, and its forward-backward improvement.
//
// A list schedule places tasks one at a time, in a priority order that puts every task after
// its predecessors, each on the worker where it finishes first, possibly in an idle gap left
// between tasks already placed there (insertion). This is HEFT's placement (Topcuoglu et al.,
// IEEE TPDS 2002).
//
// Forward-backward improvement (the "justification" of project scheduling: Li and Willis,
// EJOR 1992; Valls, Ballestin and Quintanilla, EJOR 2005) reuses a schedule's own times as
// the next priority order. The graph is scheduled backwards, from the end, taking tasks by
// decreasing finish time. Then it is scheduled forwards again, taking tasks by the start times
// the backward pass gave them. Each pass packs the tasks against the side the previous pass
// left loose, and may move a task to another worker. The shortest forward schedule seen is
// kept, so improvement never returns a longer schedule than the one it was given.
//
// The problem is plain numbers (costs per task and worker, bytes per edge, linear transfer
// times between memory nodes), so the planner is independent of the runtime and testable
// alone.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <utility>
#include <vector>

namespace tessera::sched::planning {

inline constexpr double kCannotRun = std::numeric_limits<double>::infinity();

struct Edge {
  std::size_t task;  // the other end of the edge
  double bytes;      // what the producer writes and the consumer reads (0: order only)
};

struct Problem {
  // Per worker: its memory node, an index into the transfer tables (0 .. nodes-1).
  std::vector<std::size_t> worker_node;
  // Per pair of memory nodes (from * nodes + to): transfer time = latency + bytes * per_byte.
  // Moves within a node cost nothing.
  std::size_t nodes = 0;
  std::vector<double> latency_us;
  std::vector<double> us_per_byte;
  // Per task and worker (task * workers + worker): expected duration, kCannotRun if the
  // worker cannot run it.
  std::vector<double> cost;
  // Per task: the edges to its predecessors and its successors. Tasks are numbered in an
  // order that puts predecessors first (the submission order).
  std::vector<std::vector<Edge>> preds;
  std::vector<std::vector<Edge>> succs;
  // Per task (or empty: none): bytes it reads that no task of the graph produces. They start
  // on memory node `home`, and a task cannot start before they reach its worker.
  std::vector<double> initial_bytes;
  std::size_t home = 0;
  // Whether copies over one link wait for each other, and a node receives a producer's
  // output once (as the runtime moves data), rather than every edge getting a link of its own.
  bool link_contention = false;

  std::size_t tasks() const { return preds.size(); }
  std::size_t workers() const { return worker_node.size(); }
  double length(std::size_t task, std::size_t worker) const {
    return cost[task * workers() + worker];
  }
  double transfer_us(std::size_t from_worker, std::size_t to_worker, double bytes) const {
    return node_transfer_us(worker_node[from_worker], worker_node[to_worker], bytes);
  }
  double node_transfer_us(std::size_t from_node, std::size_t to_node, double bytes) const {
    if (from_node == to_node || bytes <= 0) return 0.0;
    return latency_us[from_node * nodes + to_node] +
           bytes * us_per_byte[from_node * nodes + to_node];
  }
  // Throws std::invalid_argument naming what is inconsistent (sizes, an edge out of range or
  // pointing backwards, a task no worker can run).
  void validate() const;
};

struct Schedule {
  std::vector<std::size_t> worker;  // per task
  std::vector<double> start;        // per task, from time 0
  std::vector<double> end;
  double makespan = 0.0;
};

// A worker's busy time: [start, end), sorted and not overlapping.
using Interval = std::pair<double, double>;
// The earliest start >= ready of an idle gap of `length` among `busy` intervals.
double insertion_start(std::span<const Interval> busy, double ready, double length);

// Places the tasks in `order` (a permutation in which every task follows its predecessors;
// std::invalid_argument otherwise) on the worker where each finishes first.
Schedule list_schedule(const Problem& problem, std::span<const std::size_t> order);

// The placement of list_schedule, one task at a time, kept between calls: for a policy that
// places tasks as they are submitted (heft). The problem may grow between calls (tasks
// appended after their predecessors); it is held by reference and must outlive this.
class ListScheduler {
 public:
  explicit ListScheduler(const Problem& problem);
  ~ListScheduler();
  ListScheduler(ListScheduler&&) noexcept;
  ListScheduler& operator=(ListScheduler&&) = delete;
  ListScheduler(const ListScheduler&) = delete;
  ListScheduler& operator=(const ListScheduler&) = delete;

  // Places task `t`, whose predecessors are placed, on the worker where it finishes first,
  // in an idle gap if one fits, starting no earlier than `not_before`. Throws
  // std::invalid_argument if a predecessor is not placed or no worker can run it.
  void place(std::size_t t, double not_before = 0.0);
  // What really happened to a placed task: it ran on `worker` and ended at `end` (the plan's
  // clock). Later placements wait for its outputs from there.
  void observe(std::size_t t, std::size_t worker, double end);
  // Takes over `schedule` (of the problem's first tasks): their workers, times and busy
  // intervals; links start free.
  void adopt(const Schedule& schedule);
  bool placed(std::size_t t) const;
  const Schedule& schedule() const;

  class Pass;  // the implementation, shared with list_schedule and improve

 private:
  std::unique_ptr<Pass> pass_;
};

// Upward ranks: a task's cost (its mean over capable workers, or its cost on the fastest one)
// plus the longest path, mean transfers included, to the end of the graph.
enum class RankCost { mean, fastest };
// `scale` (empty, or one factor per task) multiplies each task's own cost. With `first`, only
// the ranks of tasks first, first + 1, ... are computed (the others are 0): for a graph that
// grew by those tasks, whose successors all come after them.
std::vector<double> upward_ranks(const Problem& problem, RankCost rank_cost,
                                 std::span<const double> scale = {}, std::size_t first = 0);
// The tasks by decreasing rank (ties: submission order), a valid list-scheduling order.
std::vector<std::size_t> order_by_rank(std::span<const double> ranks);

// A list-scheduling order from priorities: repeatedly the ready task (all predecessors
// listed) with the highest priority, then the highest `ties` value, then submitted first.
std::vector<std::size_t> order_by_priority(const Problem& problem, std::span<const double> priority,
                                           std::span<const double> ties);

// How many more list-scheduling passes the planner may run.
class Budget {
 public:
  explicit Budget(double passes) : left_(passes) {}
  // Takes `passes` from the budget if they fit.
  bool spend(double passes) {
    if (passes > left_) return false;
    left_ -= passes;
    spent_ += passes;
    return true;
  }
  double left() const { return left_; }
  double spent() const { return spent_; }

 private:
  double left_;
  double spent_ = 0.0;
};

// Up to `rounds` backward-then-forward passes from `initial` (two passes a round, within
// `budget` if given); returns the shortest forward schedule seen (`initial` itself if none
// is shorter). Stops early after two rounds without improvement.
Schedule improve(const Problem& problem, Schedule initial, int rounds, Budget* budget = nullptr,
                 const std::function<bool(double)>& stop = {});

struct SearchOptions {
  int rounds = 20;         // forward-backward rounds per start
  int restarts = 0;        // extra starts from randomly perturbed ranks
  double noise = 0.2;      // perturbation: each task's rank cost times U(1 - noise, 1 + noise)
  std::uint64_t seed = 1;  // of the perturbations: the same seed gives the same plan
  std::size_t budget = 0;  // task placements (all passes) before no new restart begins; 0: none
  std::vector<double> priorities;  // the application's, per task (empty: none to start from)
  // Asked before each start but the first, and between improvement rounds, with the best
  // makespan so far: true ends the search there (a policy's time limit). Empty: never.
  std::function<bool(double best_makespan)> stop;
};
// The shortest plan found from INSPIRIT's fastest-worker ranks, HEFT's mean ranks, the
// application's priorities (if given) and the perturbed restarts, each improved by
// forward-backward rounds; restarts stop once the budget is spent.
Schedule search(const Problem& problem, const SearchOptions& options);

}  // namespace tessera::sched::planning
