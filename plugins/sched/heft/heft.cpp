// heft: Heterogeneous Earliest Finish Time (Topcuoglu, Hariri and Wu, IEEE TPDS 2002).
//
// Every task submitted so far is ranked by its upward rank
//   rank(t) = mean cost of t + max over successors s of (mean transfer t->s + rank(s)),
// (option rank=fastest: t's cost on the fastest worker that can run it, instead of the mean)
// then, highest rank first, placed on the worker where it would finish earliest, possibly
// in an idle gap between tasks already placed there (insertion). Costs come from the
// performance models, transfers from the platform's links; data moving between two workers
// of one memory node costs nothing.
//
// Each worker then runs its tasks in planned order, waiting for the next one to be ready.
// The plan is made the first time a worker asks for work, over the whole graph known then;
// tasks submitted later are planned, the same way, after those already placed. When a task
// finishes, what it wrote starts moving to the workers planned for its successors, so data
// travels as soon as it is produced, as the algorithm assumes.

#include <algorithm>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched {
namespace {

class HeftPolicy final : public Policy {
 public:
  explicit HeftPolicy(const PolicyOptions& options) {
    options.expect_only("heft", {"rank"});
    const std::string rank = options.get("rank", "mean");
    if (rank != "mean" && rank != "fastest") {
      throw InvalidArgument("rank must be mean or fastest (got '" + rank + "')");
    }
    rank_fastest_ = rank == "fastest";
  }
  std::string_view name() const override { return "heft"; }

  void on_attach() override {
    const std::size_t n = host().workers().size();
    timeline_.assign(n, {});
    plan_.assign(n, {});
    next_.assign(n, 0);
    // Mean latency and bandwidth between distinct memory nodes that hold workers.
    std::vector<int> nodes;
    for (const WorkerInfo& w : host().workers()) {
      if (std::find(nodes.begin(), nodes.end(), w.memory_node) == nodes.end())
        nodes.push_back(w.memory_node);
    }
    double latency = 0, per_byte = 0;
    int pairs = 0;
    for (int a : nodes) {
      for (int b : nodes) {
        if (a == b) continue;
        const double lat = host().transfer_time_us(a, b, 0.0);
        latency += lat;
        per_byte += (host().transfer_time_us(a, b, 1e6) - lat) / 1e6;
        ++pairs;
      }
    }
    if (pairs > 0) {
      mean_latency_ = latency / pairs;
      mean_per_byte_ = per_byte / pairs;
    }
  }

  void on_submit(TaskView task) override {
    std::lock_guard lock(mutex_);
    Node node;
    node.task = task;
    task.for_each_predecessor([&](TaskView p) {
      auto it = index_.find(p.id());
      if (it != index_.end()) node.preds.push_back(it->second);
    });
    const std::size_t self = nodes_.size();
    for (std::size_t p : node.preds) nodes_[p].succs.push_back(self);
    index_.emplace(task.id(), self);
    nodes_.push_back(std::move(node));
  }

  WorkerId push(TaskView task) override {
    std::lock_guard lock(mutex_);
    const std::size_t n = node_of(task);
    plan_pending();
    nodes_[n].ready = true;
    host().prefetch(task, nodes_[n].worker);
    return nodes_[n].worker;
  }

  TaskView pop(WorkerId worker) override {
    std::lock_guard lock(mutex_);
    plan_pending();
    const std::size_t w = static_cast<std::size_t>(worker);
    while (next_[w] < plan_[w].size() && nodes_[plan_[w][next_[w]]].cancelled) ++next_[w];
    if (next_[w] >= plan_[w].size()) return {};
    Node& n = nodes_[plan_[w][next_[w]]];
    if (!n.ready) return {};  // the plan says: wait for it
    ++next_[w];
    return n.task;
  }

  void on_cancel(TaskView task) override {
    // Never pushed: let its worker move past it in the plan.
    std::lock_guard lock(mutex_);
    Node& n = nodes_[node_of(task)];
    n.done = true;
    n.cancelled = true;
  }

  void on_finish(TaskView task, WorkerId worker) override {
    std::lock_guard lock(mutex_);
    Node& n = nodes_[node_of(task)];
    n.done = true;
    n.end = host().now_us();
    n.worker = worker;
    // Send what this task produced to the successors' planned workers now.
    for (std::size_t s : n.succs) {
      const Node& succ = nodes_[s];
      if (!succ.planned || succ.ready || succ.cancelled) continue;
      for (std::size_t i = 0; i < succ.task.num_accesses(); ++i) {
        const AccessView in = succ.task.access(i);
        if (!reads(in.mode)) continue;
        for (std::size_t j = 0; j < task.num_accesses(); ++j) {
          const AccessView out = task.access(j);
          if (out.data == in.data && writes(out.mode))
            host().prefetch_access(succ.task, i, succ.worker);
        }
      }
    }
  }

 private:
  struct Node {
    TaskView task;
    std::vector<std::size_t> preds;
    std::vector<std::size_t> succs;
    double rank = 0.0;
    bool planned = false;
    bool ready = false;
    bool done = false;
    bool cancelled = false;
    WorkerId worker = kAnyWorker;
    double start = 0.0;
    double end = 0.0;
  };
  using Interval = std::pair<double, double>;

  std::size_t node_of(TaskView task) {
    auto it = index_.find(task.id());
    if (it != index_.end()) return it->second;
    on_submit_locked(task);  // a task pushed without on_submit (cannot happen in the engine)
    return nodes_.size() - 1;
  }
  void on_submit_locked(TaskView task) {
    Node node;
    node.task = task;
    index_.emplace(task.id(), nodes_.size());
    nodes_.push_back(std::move(node));
  }

  // Bytes that `from` writes and `to` reads.
  static double shared_bytes(TaskView from, TaskView to) {
    double bytes = 0;
    for (std::size_t i = 0; i < to.num_accesses(); ++i) {
      const AccessView in = to.access(i);
      if (!reads(in.mode) || is_scratch(in.mode)) continue;
      for (std::size_t j = 0; j < from.num_accesses(); ++j) {
        const AccessView out = from.access(j);
        if (out.data == in.data && writes(out.mode)) {
          bytes += static_cast<double>(in.layout.bytes());
          break;
        }
      }
    }
    return bytes;
  }

  // A task's cost in its rank: the mean over the workers that can run it (the paper's), or
  // the fastest of them (rank=fastest: INSPIRIT's bottom level, plus transfers).
  double rank_cost(TaskView task) {
    double total = 0;
    double fastest = std::numeric_limits<double>::infinity();
    int count = 0;
    for (const WorkerInfo& w : host().workers()) {
      if (!host().can_execute(task, w.id)) continue;
      const double length = host().expected_length_us(task, w.id).value_or(0.0);
      total += length;
      fastest = std::min(fastest, length);
      ++count;
    }
    if (count == 0) return 0.0;
    return rank_fastest_ ? fastest : total / count;
  }

  void plan_pending() {
    std::vector<std::size_t> pending;
    for (std::size_t i = first_unplanned_; i < nodes_.size(); ++i) {
      if (!nodes_[i].planned) pending.push_back(i);
    }
    if (pending.empty()) return;
    // Upward ranks, successors first (they were submitted later).
    for (auto it = pending.rbegin(); it != pending.rend(); ++it) {
      Node& n = nodes_[*it];
      double tail = 0;
      for (std::size_t s : n.succs) {
        if (nodes_[s].planned) continue;
        const double bytes = shared_bytes(n.task, nodes_[s].task);
        const double comm = bytes > 0 ? mean_latency_ + bytes * mean_per_byte_ : 0.0;
        tail = std::max(tail, comm + nodes_[s].rank);
      }
      n.rank = rank_cost(n.task) + tail;
    }
    std::stable_sort(pending.begin(), pending.end(), [&](std::size_t a, std::size_t b) {
      return nodes_[a].rank != nodes_[b].rank ? nodes_[a].rank > nodes_[b].rank : a < b;
    });
    const double now = host().now_us();
    for (std::size_t i : pending) place(i, now);
    first_unplanned_ = nodes_.size();
  }

  // Earliest start >= ready of a gap of `length` in a worker's timeline.
  static double insertion_start(const std::vector<Interval>& timeline, double ready,
                                double length) {
    // Intervals do not overlap, so their ends are sorted too: skip those ending before ready.
    auto it = std::lower_bound(timeline.begin(), timeline.end(), ready,
                               [](const Interval& busy, double t) { return busy.second <= t; });
    double candidate = ready;
    for (; it != timeline.end(); ++it) {
      if (candidate + length <= it->first) return candidate;
      candidate = std::max(candidate, it->second);
    }
    return candidate;
  }

  void place(std::size_t index, double now) {
    Node& n = nodes_[index];
    const auto workers = host().workers();
    WorkerId best = kAnyWorker;
    double best_start = 0, best_end = std::numeric_limits<double>::infinity();
    for (const WorkerInfo& w : workers) {
      if (!host().can_execute(n.task, w.id)) continue;
      double ready = now;
      for (std::size_t p : n.preds) {
        const Node& pred = nodes_[p];
        if (pred.worker == kAnyWorker) continue;
        const int from = workers[static_cast<std::size_t>(pred.worker)].memory_node;
        const double bytes = shared_bytes(pred.task, n.task);
        const double comm = bytes > 0 ? host().transfer_time_us(from, w.memory_node, bytes) : 0.0;
        ready = std::max(ready, pred.end + comm);
      }
      const double length = host().expected_length_us(n.task, w.id).value_or(0.0);
      const double start =
          insertion_start(timeline_[static_cast<std::size_t>(w.id)], ready, length);
      if (start + length < best_end) {
        best_end = start + length;
        best_start = start;
        best = w.id;
      }
    }
    n.worker = best;
    n.start = best_start;
    n.end = best_end;
    n.planned = true;
    auto& timeline = timeline_[static_cast<std::size_t>(best)];
    timeline.insert(
        std::upper_bound(timeline.begin(), timeline.end(), Interval{best_start, best_end}),
        {best_start, best_end});
    // The worker's sequence, by planned start; tasks already handed out stay first.
    auto& seq = plan_[static_cast<std::size_t>(best)];
    const std::size_t taken = next_[static_cast<std::size_t>(best)];
    auto pos = std::upper_bound(
        seq.begin() + static_cast<std::ptrdiff_t>(taken), seq.end(), index,
        [&](std::size_t a, std::size_t b) { return nodes_[a].start < nodes_[b].start; });
    seq.insert(pos, index);
  }

  bool rank_fastest_ = false;  // rank=fastest
  std::mutex mutex_;
  std::vector<Node> nodes_;
  std::unordered_map<std::uint64_t, std::size_t> index_;
  std::size_t first_unplanned_ = 0;
  std::vector<std::vector<Interval>> timeline_;
  std::vector<std::vector<std::size_t>> plan_;
  std::vector<std::size_t> next_;
  double mean_latency_ = 0.0;
  double mean_per_byte_ = 0.0;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(
    tessera::sched::HeftPolicy, "heft",
    "HEFT: upward ranks over the known graph, insertion-based earliest finish time")
