// heft: Heterogeneous Earliest Finish Time (Topcuoglu, Hariri and Wu, IEEE TPDS 2002).
//
// Every task submitted so far is ranked by its upward rank
//   rank(t) = mean cost of t + max over successors s of (mean transfer t->s + rank(s)),
// (option rank=fastest: t's cost on the fastest worker that can run it, instead of the mean)
// then, highest rank first, placed on the worker where it would finish earliest, possibly
// in an idle gap between tasks already placed there (insertion). Costs come from the
// performance models, transfers from the machine's links; data moving between two workers
// of one memory node costs nothing. Ranks and placement are the list planner's
// (common/list_planner.hpp), the same that INSPIRIT's planned start uses, with its model of
// the links (copies over a shared link queue, each output reaches a node once, the graph's
// input data start in main memory).
//
// Each worker then runs its tasks in planned order, waiting for the next one to be ready.
// The plan is made when a batch of submissions is complete (Runtime::pause/resume), or else
// the first time a worker asks for work, over the whole graph known then; tasks submitted
// later are planned, the same way, after those already placed. With improve=K, while no
// task has been handed out yet, the whole known graph is planned again and improved by up
// to K forward-backward rounds. When a task finishes, what it wrote starts moving to the
// workers planned for its successors, so data travels as soon as it is produced, as the
// algorithm assumes. Once every known task is done the plan is forgotten (flat memory over
// many rounds).

#include <algorithm>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/host_problem.hpp"
#include "common/list_planner.hpp"
#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched {
namespace {

const std::vector<PolicyOptionInfo>& heft_options() {
  static const std::vector<PolicyOptionInfo> options{
      {"rank", "mean", "task cost in upward ranks: mean over worker kinds, or fastest"},
      {"improve", "0", "forward-backward improvement rounds after the plan, 0 to 1000"}};
  return options;
}

class HeftPolicy final : public Policy {
 public:
  explicit HeftPolicy(const PolicyOptions& options) {
    options.expect_only("heft", heft_options());
    const long improve = options.get_int("improve", 0);
    if (improve < 0 || improve > 1000)
      throw InvalidArgument("improve must be in [0, 1000] (got " + std::to_string(improve) + ")");
    improve_rounds_ = static_cast<int>(improve);
    const std::string rank = options.get("rank", "mean");
    if (rank != "mean" && rank != "fastest") {
      throw InvalidArgument("rank must be mean or fastest (got '" + rank + "')");
    }
    rank_cost_ = rank == "fastest" ? planning::RankCost::fastest : planning::RankCost::mean;
  }
  std::string_view name() const override { return "heft"; }

  void on_attach() override { forget_plan(); }

  void on_submit(TaskView task) override {
    if (task.is_external()) return;  // no worker runs it: it has no place in the plan
    std::lock_guard lock(mutex_);
    planning::KnownTask known{task, {}, kAnyWorker};
    task.for_each_predecessor([&](TaskView p) {
      const auto it = index_.find(p.id());
      if (it != index_.end()) known.preds.push_back(it->second);
    });
    index_.emplace(task.id(), known_.size());
    known_.push_back(std::move(known));
    nodes_.emplace_back();
  }

  WorkerId push(TaskView task) override {
    std::lock_guard lock(mutex_);
    const std::size_t n = node_of(task);
    plan_pending();
    const WorkerId worker = worker_of(n);
    if (nodes_[n].handed_out) {
      // Handed out already and pushed again: it was parked behind a task commuting on the
      // same data. Its worker has moved past it in the plan: it goes first now.
      nodes_[n].handed_out = false;
      returned_[static_cast<std::size_t>(worker)].push_back(n);
      return worker;
    }
    nodes_[n].ready = true;
    host().prefetch(task, worker);
    return worker;
  }

  TaskView pop(WorkerId worker) override {
    std::lock_guard lock(mutex_);
    if (improve_rounds_ > 0 && handed_out_ == 0 && improved_size_ < known_.size()) {
      replan_all();
    } else {
      plan_pending();
    }
    const std::size_t w = static_cast<std::size_t>(worker);
    if (!returned_[w].empty()) {
      const std::size_t n = returned_[w].front();
      returned_[w].erase(returned_[w].begin());
      nodes_[n].handed_out = true;
      return known_[n].task;
    }
    while (next_[w] < sequence_[w].size() && nodes_[sequence_[w][next_[w]]].done) ++next_[w];
    if (next_[w] >= sequence_[w].size()) return {};
    const std::size_t n = sequence_[w][next_[w]];
    if (!nodes_[n].ready) return {};  // the plan says: wait for it
    ++next_[w];
    ++handed_out_;
    nodes_[n].handed_out = true;
    return known_[n].task;
  }

  // The whole batch is known: plan it at once (with improve=K, from scratch).
  void on_batch_submitted() override {
    std::lock_guard lock(mutex_);
    if (improve_rounds_ > 0 && handed_out_ == 0 && improved_size_ < known_.size()) {
      replan_all();
    } else {
      plan_pending();
    }
  }

  void on_cancel(TaskView task) override {
    if (task.is_external()) return;
    std::lock_guard lock(mutex_);
    mark_done(node_of(task));  // its worker moves past it in the plan
  }

  void on_finish(TaskView task, WorkerId worker) override {
    std::lock_guard lock(mutex_);
    const std::size_t n = node_of(task);
    if (placer_->placed(n)) {
      // Later placements count from what really happened.
      placer_->observe(n, static_cast<std::size_t>(worker), host().now_us() - origin_us_);
    }
    // Send what this task produced to the successors' planned workers now.
    task.for_each_successor([&](TaskView succ_view) {
      const auto it = index_.find(succ_view.id());
      if (it == index_.end()) return;
      const std::size_t s = it->second;
      if (!placer_->placed(s) || nodes_[s].ready || nodes_[s].done) return;
      for (std::size_t i = 0; i < succ_view.num_accesses(); ++i) {
        if (planning::produces(task, succ_view.access(i)))
          host().prefetch_access(succ_view, i, worker_of(s));
      }
    });
    mark_done(n);
  }

 private:
  struct Node {
    bool ready = false;
    bool done = false;
    bool handed_out = false;  // popped, not yet pushed back (see push)
  };

  std::size_t node_of(TaskView task) {
    const auto it = index_.find(task.id());
    if (it != index_.end()) return it->second;
    // A task pushed without on_submit (cannot happen in the engine): plan it alone.
    index_.emplace(task.id(), known_.size());
    known_.push_back({task, {}, kAnyWorker});
    nodes_.emplace_back();
    return known_.size() - 1;
  }

  WorkerId worker_of(std::size_t n) const {
    return planning::worker_id(host(), placer_->schedule().worker[n]);
  }

  // Appends the tasks submitted since the last plan to the problem, ranks them among
  // themselves (their successors all came later), and places them, highest rank first,
  // after what is placed already and not before now.
  void plan_pending() {
    const std::size_t first = problem_.tasks();
    if (first == known_.size()) return;
    if (first == 0) origin_us_ = host().now_us();
    for (std::size_t i = first; i < known_.size(); ++i)
      planning::append_task(host(), problem_, known_, i);
    const std::vector<double> ranks = planning::upward_ranks(problem_, rank_cost_, {}, first);
    std::vector<std::size_t> order(known_.size() - first);
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = first + i;
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return ranks[a] > ranks[b]; });
    const double now = host().now_us() - origin_us_;
    try {
      for (std::size_t t : order) {
        placer_->place(t, now);
        enqueue(t);
      }
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("policy 'heft': ") + e.what());
    }
  }

  // The worker's sequence, by planned start; tasks already handed out stay first.
  void enqueue(std::size_t t) {
    const planning::Schedule& plan = placer_->schedule();
    auto& seq = sequence_[plan.worker[t]];
    const std::size_t taken = next_[plan.worker[t]];
    seq.insert(std::upper_bound(
                   seq.begin() + static_cast<std::ptrdiff_t>(taken), seq.end(), t,
                   [&](std::size_t a, std::size_t b) { return plan.start[a] < plan.start[b]; }),
               t);
  }

  // Plans every task known so far again, from scratch, and improves the plan (improve=K).
  // Only while no task has been handed out: ready tasks keep the worker that push named.
  void replan_all() {
    for (std::size_t i = 0; i < known_.size(); ++i) {
      if (nodes_[i].ready && placer_->placed(i)) known_[i].pinned = worker_of(i);  // push named it
    }
    origin_us_ = host().now_us();
    problem_ = planning::problem_from(host(), known_);
    planning::Schedule plan;
    try {
      const auto ranks = planning::upward_ranks(problem_, rank_cost_);
      plan = planning::improve(problem_,
                               planning::list_schedule(problem_, planning::order_by_rank(ranks)),
                               improve_rounds_);
    } catch (const std::invalid_argument& e) {
      throw Error(std::string("policy 'heft': ") + e.what());
    }
    placer_ = std::make_unique<planning::ListScheduler>(problem_);
    placer_->adopt(plan);
    for (auto& seq : sequence_) seq.clear();
    for (std::size_t i = 0; i < known_.size(); ++i) sequence_[plan.worker[i]].push_back(i);
    for (auto& seq : sequence_) {
      std::stable_sort(seq.begin(), seq.end(),
                       [&](std::size_t a, std::size_t b) { return plan.start[a] < plan.start[b]; });
    }
    improved_size_ = known_.size();
  }

  // Once every known task is done, the plan is over: forget it, so that a job of many
  // rounds keeps a flat memory (the next tasks start a new plan).
  void mark_done(std::size_t n) {
    if (nodes_[n].done) return;
    nodes_[n].done = true;
    if (++done_ == known_.size()) forget_plan();
  }

  void forget_plan() {
    const std::size_t workers = host().workers().size();
    std::vector<planning::KnownTask>().swap(known_);
    std::vector<Node>().swap(nodes_);
    std::unordered_map<std::uint64_t, std::size_t>().swap(index_);
    problem_ = planning::machine_problem(host());
    placer_ = std::make_unique<planning::ListScheduler>(problem_);
    sequence_.assign(workers, {});
    next_.assign(workers, 0);
    returned_.assign(workers, {});
    handed_out_ = 0;
    improved_size_ = 0;
    done_ = 0;
  }

  planning::RankCost rank_cost_ = planning::RankCost::mean;  // rank=mean|fastest
  int improve_rounds_ = 0;                                   // improve=K
  std::mutex mutex_;
  std::vector<planning::KnownTask> known_;  // the graph, in submission order
  std::vector<Node> nodes_;                 // per known task
  std::unordered_map<std::uint64_t, std::size_t> index_;
  planning::Problem problem_;  // the known tasks planned so far (a prefix of known_)
  std::unique_ptr<planning::ListScheduler> placer_;
  double origin_us_ = 0.0;                          // the plan's time 0 on the host's clock
  std::vector<std::vector<std::size_t>> sequence_;  // per worker, in planned order
  std::vector<std::size_t> next_;
  std::vector<std::vector<std::size_t>> returned_;  // per worker: handed out, pushed back
  std::size_t handed_out_ = 0;
  std::size_t improved_size_ = 0;
  std::size_t done_ = 0;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(
    tessera::sched::HeftPolicy, "heft",
    "HEFT: upward ranks over the known graph, insertion-based earliest finish time",
    tessera::sched::heft_options())
