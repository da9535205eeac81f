// inspirit: adaptive-priority scheduling from the task graph (Wang, Liu, Yang et al.,
// "INSPIRIT: Optimizing Heterogeneous Task Scheduling through Adaptive Priority in
// Task-based Runtime Systems", arXiv 2404.03226). See docs/inspirit.md.
//
// Attributes (attributes.hpp) are maintained online as tasks are submitted. A ready task is
// placed like dmda: on the worker where it is expected to finish first, transfers counted
// (weighted by beta), its inputs prefetched there. Each worker's queue is ordered by the
// task's key — by default its bottom level (the critical path from it to the end of the
// graph), kept by the same online machinery as the inspiring ability, which is the other
// choice of key. A worker takes the first of its most important queued tasks whose data
// are already on its node; while ready tasks are scarce (fewer than the machine's effective
// parallelism, or not rising), ties between nearly equally important tasks go to the one
// with the most inspiring efficiency: the one that enables the most tasks soon.

#include <algorithm>
#include <cmath>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include "inspirit/attributes.hpp"
#include "inspirit/phase.hpp"
#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched {
namespace {

using inspirit::Attributes;
using inspirit::Phase;
using inspirit::PhaseController;

class InspiritPolicy final : public Policy {
 public:
  explicit InspiritPolicy(const PolicyOptions& o)
      : attributes_(Attributes::Options{checked_sketch(o), o.get_double("horizon_us", 0.0),
                                        o.get_double("horizon_factor", 2.0), o.get("key", "bottom") == "ability"}),
        alpha_(o.get_double("alpha", 1.0)),
        beta_(o.get_double("beta", 0.5)),
        low_(o.get_double("low", -1)),
        high_(o.get_double("high", -1)),
        rise_(o.get_double("rise", 0.0)),
        window_(static_cast<std::size_t>(std::max(1L, o.get_int("window", 8)))),
        mode_(o.get("mode", "auto")),
        ordered_placement_(o.get("placement", "fifo") == "ordered"),
        near_(o.get_double("near", 0.95)),

        key_(o.get("key", "bottom")),
        ready_first_(o.get_bool("ready_first", true)),

        controller_(PhaseController::Thresholds{}) {
    o.expect_only("inspirit", {"sketch", "horizon_us", "horizon_factor", "alpha", "beta", "low", "high", "rise",
                               "window", "mode", "placement", "key", "ready_first", "near"});
    if (mode_ != "auto" && mode_ != "ability" && mode_ != "efficiency") {
      throw InvalidArgument("policy 'inspirit': mode must be auto, ability or efficiency (got '" + mode_ + "')");
    }
    if (key_ != "bottom" && key_ != "ability" && key_ != "priority") {
      throw InvalidArgument("policy 'inspirit': key must be bottom, ability or priority (got '" + key_ + "')");
    }
    const std::string placement = o.get("placement", "fifo");
    if (placement != "fifo" && placement != "ordered") {
      throw InvalidArgument("policy 'inspirit': placement must be fifo or ordered (got '" + placement + "')");
    }
  }
  std::string_view name() const override { return "inspirit"; }

  static int checked_sketch(const PolicyOptions& o) {
    const long k = o.get_int("sketch", 32);
    if (k < 3 || k > 4096) {
      throw InvalidArgument("policy 'inspirit': sketch size must be in [3, 4096] (got " + std::to_string(k) + ")");
    }
    return static_cast<int>(k);
  }

  void on_attach() override {
    const std::size_t n = host().workers().size();
    state_.assign(n, WorkerState{});
    speed_sum_.assign(n, 0.0);
    // Thresholds from the machine: every worker should find a task in its queue (low), and
    // twice that leaves each a spare (high), unless overridden.
    const double workers = static_cast<double>(n);
    PhaseController::Thresholds t;
    t.low = low_ >= 0 ? low_ : workers;
    t.high = high_ >= 0 ? high_ : 2.0 * workers;
    t.rise = rise_;
    controller_ = PhaseController(t);
  }

  void on_submit(TaskView task) override {
    std::lock_guard lock(mutex_);
    preds_.clear();
    task.for_each_predecessor([&](TaskView p) {
      if (const auto node = node_of(p)) preds_.push_back(*node);
    });
    const Attributes::Node node = attributes_.add(preds_, fastest_length(task));
    if (task.id() >= node_by_task_.size()) node_by_task_.resize(task.id() + 1, kNoNode);
    node_by_task_[task.id()] = node;
  }

  WorkerId push(TaskView task) override {
    std::lock_guard lock(mutex_);
    Entry entry = make_entry(task);
    const WorkerId target = place(entry);
    WorkerState& s = state_[static_cast<std::size_t>(target)];
    s.queue.insert(std::upper_bound(s.queue.begin(), s.queue.end(), entry, before), entry);
    s.queued_us += entry.length;
    ++ready_;
    learn_speeds(task);
    controller_.observe(static_cast<double>(ready_));
    host().prefetch(task, target);
    return target;
  }

  TaskView pop(WorkerId worker) override {
    std::lock_guard lock(mutex_);
    WorkerState& s = state_[static_cast<std::size_t>(worker)];
    const double now = host().now_us();
    if (s.queue.empty()) return {};
    const std::size_t chosen = choose(s, worker);
    const Entry entry = s.queue[chosen];
    take(s, chosen);
    s.running_end = now + entry.length;
    return entry.task;
  }

  void on_finish(TaskView task, WorkerId worker) override {
    std::lock_guard lock(mutex_);
    state_[static_cast<std::size_t>(worker)].running_end = host().now_us();
    if (const auto node = node_of(task)) attributes_.mark_finished(*node);
  }

  void on_cancel(TaskView task) override {
    std::lock_guard lock(mutex_);
    if (const auto node = node_of(task)) attributes_.mark_finished(*node);
  }

 private:
  static constexpr Attributes::Node kNoNode = std::numeric_limits<Attributes::Node>::max();

  struct Entry {
    TaskView task;
    double key = 0;  // the queue order: bottom level, ability or priority
    std::uint32_t efficiency = 0;
    int priority = 0;
    double length = 0;  // expected duration on the chosen worker
  };
  struct Candidate {
    WorkerId id;
    double end;
    double transfer;
    double length;
  };
  struct WorkerState {
    std::vector<Entry> queue;  // by key, then priority, then submission
    double queued_us = 0.0;
    double running_end = 0.0;
  };

  static bool before(const Entry& a, const Entry& b) {
    if (a.key != b.key) return a.key > b.key;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.task.id() < b.task.id();
  }

  void take(WorkerState& s, std::size_t index) {
    const Entry entry = s.queue[index];
    s.queue.erase(s.queue.begin() + static_cast<std::ptrdiff_t>(index));
    s.queued_us = std::max(0.0, s.queued_us - entry.length);
    --ready_;
    controller_.observe(static_cast<double>(ready_));
  }

  // Relative speeds of the workers (fastest duration over theirs, averaged over the tasks
  // seen): their sum is the machine's effective parallelism, in fastest-worker units. The
  // phase thresholds follow it unless given: scarce below one ready task per effective
  // worker, plentiful above two.
  void learn_speeds(TaskView task) {
    if (low_ >= 0 && high_ >= 0) return;
    const auto workers = host().workers();
    double fastest = std::numeric_limits<double>::infinity();
    lengths_.assign(workers.size(), -1.0);
    for (const WorkerInfo& w : workers) {
      if (!host().can_execute(task, w.id)) continue;
      if (auto l = host().expected_length_us(task, w.id); l && *l > 0) {
        lengths_[static_cast<std::size_t>(w.id)] = *l;
        fastest = std::min(fastest, *l);
      }
    }
    if (!std::isfinite(fastest)) return;
    ++speed_samples_;
    double parallelism = 0;
    for (std::size_t w = 0; w < workers.size(); ++w) {
      if (lengths_[w] > 0) speed_sum_[w] += fastest / lengths_[w];
      parallelism += speed_sum_[w] / static_cast<double>(speed_samples_);
    }
    PhaseController::Thresholds t = controller_.thresholds();
    t.low = low_ >= 0 ? low_ : parallelism;
    t.high = high_ >= 0 ? high_ : 2.0 * parallelism;
    controller_.retune(t);
  }

  std::optional<Attributes::Node> node_of(TaskView task) const {
    if (task.id() >= node_by_task_.size() || node_by_task_[task.id()] == kNoNode) return std::nullopt;
    return node_by_task_[task.id()];
  }

  double fastest_length(TaskView task) const {
    double best = std::numeric_limits<double>::infinity();
    for (const WorkerInfo& w : host().workers()) {
      if (!host().can_execute(task, w.id)) continue;
      if (auto length = host().expected_length_us(task, w.id)) best = std::min(best, *length);
    }
    return std::isfinite(best) ? best : 0.0;
  }

  Entry make_entry(TaskView task) const {
    Entry e;
    e.task = task;
    e.priority = task.priority();
    if (key_ == "priority") {
      e.key = task.priority();
    } else if (const auto node = node_of(task)) {
      e.key = key_ == "bottom" ? attributes_.bottom_level(*node)
                  : key_ == "efficiency" ? attributes_.efficiency(*node)
                                         : attributes_.ability(*node);
      e.efficiency = attributes_.efficiency(*node);
    }
    return e;
  }

  // Work queued on a worker that will run before `entry` (placement=ordered).
  static double work_before(const WorkerState& s, const Entry& entry) {
    double total = 0;
    for (const Entry& q : s.queue) {
      if (!before(q, entry)) break;
      total += q.length;
    }
    return total;
  }

  WorkerId place(Entry& entry) {
    const double now = host().now_us();
    const bool ordered = ordered_placement_;
    std::vector<Candidate>& candidates = candidates_;
    candidates.clear();
    WorkerId calibrate = kAnyWorker;
    double calibrate_load = std::numeric_limits<double>::infinity();
    double best_end = std::numeric_limits<double>::infinity();
    for (const WorkerInfo& w : host().workers()) {
      if (!host().can_execute(entry.task, w.id)) continue;
      const WorkerState& s = state_[static_cast<std::size_t>(w.id)];
      const std::optional<double> length = host().expected_length_us(entry.task, w.id);
      const double start = std::max(now, s.running_end);
      if (!length) {  // uncalibrated here: send it to calibrate, least loaded first
        if (start + s.queued_us < calibrate_load) {
          calibrate_load = start + s.queued_us;
          calibrate = w.id;
        }
        continue;
      }
      const double transfer = host().expected_transfer_us(entry.task, w.id);
      const double queued = start + (ordered ? work_before(s, entry) : s.queued_us);
      const double end = queued + *length;
      candidates.push_back({w.id, end, transfer, *length});
      best_end = std::min(best_end, end);
    }
    if (calibrate != kAnyWorker) {
      entry.length = 0.0;
      return calibrate;
    }
    WorkerId best = kAnyWorker;
    double best_fitness = std::numeric_limits<double>::infinity();
    for (const Candidate& c : candidates) {
      const double fitness = alpha_ * (c.end - best_end) + beta_ * c.transfer;
      if (fitness < best_fitness) {
        best_fitness = fitness;
        best = c.id;
        entry.length = c.length;
      }
    }
    return best;
  }

  Phase phase() const {
    if (mode_ == "ability") return Phase::plentiful;
    if (mode_ == "efficiency") return Phase::scarce;
    return controller_.phase();
  }

  std::size_t choose(const WorkerState& s, WorkerId worker) const {
    if (phase() == Phase::plentiful) {
      if (!ready_first_) return 0;
      const std::size_t depth = std::min(s.queue.size(), window_);
      for (std::size_t i = 0; i < depth; ++i) {
        if (host().expected_transfer_us(s.queue[i].task, worker) <= 0.0) return i;
      }
      return 0;
    }
    // Scarce: among the first few, data already here first, then most efficiency, then
    // queue order.
    const std::size_t depth = std::min(s.queue.size(), window_);
    std::size_t best = 0;
    bool best_ready = false;
    std::uint32_t best_efficiency = 0;
    for (std::size_t i = 0; i < depth; ++i) {
      // Only among tasks about as important as the head: efficiency breaks near-ties.
      if (s.queue[i].key < near_ * s.queue[0].key) break;
      const bool ready = host().expected_transfer_us(s.queue[i].task, worker) <= 0.0;
      const std::uint32_t efi = s.queue[i].efficiency;
      if (i == 0 || (ready && !best_ready) || (ready == best_ready && efi > best_efficiency)) {
        best = i;
        best_ready = ready;
        best_efficiency = efi;
      }
    }
    return best;
  }

  std::mutex mutex_;
  Attributes attributes_;
  std::vector<Attributes::Node> node_by_task_;
  std::vector<Attributes::Node> preds_;
  std::vector<WorkerState> state_;
  std::vector<Candidate> candidates_;
  double alpha_;
  double beta_;
  double low_;
  double high_;
  double rise_;
  std::size_t window_;
  std::string mode_;
  bool ordered_placement_;
  double near_;

  std::string key_;
  bool ready_first_;

  PhaseController controller_;
  std::size_t ready_ = 0;
  std::vector<double> speed_sum_;
  std::vector<double> lengths_;
  std::uint64_t speed_samples_ = 0;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::InspiritPolicy, "inspirit",
                        "INSPIRIT: adaptive priorities from inspiring ability and efficiency (see docs/inspirit.md)")
