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
// tasks submitted later are planned, the same way, after those already placed. With
// improve=K, while no task has been handed out yet, the whole known graph is planned again
// and improved by up to K forward-backward rounds (common/list_planner.hpp). When a task
// finishes, what it wrote starts moving to the workers planned for its successors, so data
// travels as soon as it is produced, as the algorithm assumes.

#include <algorithm>
#include <limits>
#include <mutex>
#include <numeric>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/host_problem.hpp"
#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched {
namespace {

class HeftPolicy final : public Policy {
 public:
  explicit HeftPolicy(const PolicyOptions& options) {
    options.expect_only("heft", {"rank", "improve"});
    const long improve = options.get_int("improve", 0);
    if (improve < 0 || improve > 1000)
      throw InvalidArgument("improve must be in [0, 1000] (got " + std::to_string(improve) + ")");
    improve_rounds_ = static_cast<int>(improve);
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
        const LinkModel link = host().link(a, b);
        latency += link.latency_us;
        per_byte += link.us_per_byte;
        ++pairs;
      }
    }
    if (pairs > 0) {
      mean_latency_ = latency / pairs;
      mean_per_byte_ = per_byte / pairs;
    }
  }

  void on_submit(TaskView task) override {
    if (task.is_external()) return;  // no worker runs it: it has no place in the plan
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
    if (improve_rounds_ > 0 && handed_out_ == 0 && improved_size_ < nodes_.size()) {
      replan_all();
    } else {
      plan_pending();
    }
    const std::size_t w = static_cast<std::size_t>(worker);
    while (next_[w] < plan_[w].size() && nodes_[plan_[w][next_[w]]].cancelled) ++next_[w];
    if (next_[w] >= plan_[w].size()) return {};
    Node& n = nodes_[plan_[w][next_[w]]];
    if (!n.ready) return {};  // the plan says: wait for it
    ++next_[w];
    ++handed_out_;
    return n.task;
  }

  void on_cancel(TaskView task) override {
    if (task.is_external()) return;
    // Let its worker move past it in the plan.
    std::lock_guard lock(mutex_);
    Node& n = nodes_[node_of(task)];
    n.cancelled = true;
    mark_done(n);
  }

  // The whole batch is known: plan it at once (with improve=K, from scratch).
  void on_batch_submitted() override {
    std::lock_guard lock(mutex_);
    if (improve_rounds_ > 0 && handed_out_ == 0 && improved_size_ < nodes_.size()) {
      replan_all();
    } else {
      plan_pending();
    }
  }

  void on_finish(TaskView task, WorkerId worker) override {
    std::lock_guard lock(mutex_);
    Node& n = nodes_[node_of(task)];
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
    mark_done(n);
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
  using Interval = planning::Interval;

  // Once every known task is done, the plan is over: forget it, so that a job of many
  // rounds keeps a flat memory (the next tasks start a new plan).
  void mark_done(Node& n) {
    if (n.done) return;
    n.done = true;
    if (++done_ < nodes_.size()) return;
    std::vector<Node>().swap(nodes_);
    std::unordered_map<std::uint64_t, std::size_t>().swap(index_);
    for (auto& line : timeline_) std::vector<Interval>().swap(line);
    for (auto& seq : plan_) std::vector<std::size_t>().swap(seq);
    std::fill(next_.begin(), next_.end(), 0);
    first_unplanned_ = 0;
    handed_out_ = 0;
    improved_size_ = 0;
    done_ = 0;
  }

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
        const double bytes = planning::shared_bytes(n.task, nodes_[s].task);
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
        const double bytes = planning::shared_bytes(pred.task, n.task);
        const double comm = bytes > 0 ? host().transfer_time_us(from, w.memory_node, bytes) : 0.0;
        ready = std::max(ready, pred.end + comm);
      }
      const double length = host().expected_length_us(n.task, w.id).value_or(0.0);
      const double start =
          planning::insertion_start(timeline_[static_cast<std::size_t>(w.id)], ready, length);
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

  // Plans every task known so far again, from scratch, and improves the plan (improve=K).
  // Only while no task has been handed out: ready tasks keep the worker that push named.
  void replan_all() {
    const auto workers = host().workers();
    const std::size_t count = nodes_.size();
    std::vector<planning::KnownTask> known(count);
    for (std::size_t i = 0; i < count; ++i) {
      known[i].task = nodes_[i].task;
      known[i].preds = nodes_[i].preds;
      if (nodes_[i].ready) known[i].pinned = nodes_[i].worker;  // push already named it
    }
    const planning::Problem p = planning::problem_from(host(), known);
    const auto ranks = planning::upward_ranks(
        p, rank_fastest_ ? planning::RankCost::fastest : planning::RankCost::mean);
    const auto order = planning::order_by_rank(ranks);
    planning::Schedule plan;
    try {
      plan = planning::improve(p, planning::list_schedule(p, order), improve_rounds_);
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("policy 'heft': ") + e.what());
    }
    const double now = host().now_us();
    for (auto& line : timeline_) line.clear();
    for (auto& seq : plan_) seq.clear();
    for (std::size_t i = 0; i < count; ++i) {
      Node& n = nodes_[i];
      n.worker = workers[plan.worker[i]].id;
      n.start = now + plan.start[i];
      n.end = now + plan.end[i];
      n.planned = true;
      timeline_[plan.worker[i]].push_back({n.start, n.end});
      plan_[plan.worker[i]].push_back(i);
    }
    for (auto& line : timeline_) std::sort(line.begin(), line.end());
    for (auto& seq : plan_) {
      std::stable_sort(seq.begin(), seq.end(), [&](std::size_t a, std::size_t b) {
        return nodes_[a].start < nodes_[b].start;
      });
    }
    first_unplanned_ = count;
    improved_size_ = count;
  }

  bool rank_fastest_ = false;  // rank=fastest
  int improve_rounds_ = 0;     // improve=K
  std::size_t handed_out_ = 0;
  std::size_t done_ = 0;  // nodes done
  std::size_t improved_size_ = 0;
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
