#pragma once
// INSPIRIT's scheduling decisions, independent of the runtime that asks for them: Tessera's
// policy (inspirit.cpp) and the StarPU plug-in (plugins/starpu) are thin adapters around
// this one class, so the algorithm exists once.
//
// A Host tells the core about the machine and the tasks:
//
// clang-format off
//   using Task = ...;                        // cheap to copy, comparable
//   std::size_t worker_count() const;
//   double now_us() const;
//   bool can_execute(Task, std::size_t worker) const;
//   std::optional<double> expected_length_us(Task, std::size_t worker) const;  // nullopt: uncalibrated
//   double expected_transfer_us(Task, std::size_t worker) const;
//   std::uint64_t id(Task) const;            // unique, roughly increasing
//   int priority(Task) const;
// clang-format on
//
// Attributes (attributes.hpp) are maintained online as tasks are submitted. A ready task is
// placed like dmda, by the same rule (common/earliest_finish.hpp): on the worker where it
// is expected to finish first, transfers counted (weighted by beta). Each worker's queue is ordered
// by the task's key: by default its bottom level (the critical path from it to the end of the
// graph), or its inspiring ability. A worker takes the first of its most important queued tasks
// whose data are already on its node; while ready tasks are scarce (fewer than the machine's
// effective parallelism, or not rising), near-ties go to the most inspiring efficiency: the task
// that enables the most tasks soon. Every method takes the core's lock: call from any thread.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/earliest_finish.hpp"
#include "inspirit/attributes.hpp"
#include "inspirit/phase.hpp"

namespace tessera::inspirit {

struct Tunables {
  int sketch = 32;
  double horizon_us = 0.0;
  double horizon_factor = 2.0;
  double alpha = 1.0;  // weight of the expected end time in placement
  double beta = 0.5;   // weight of the transfer time in placement
  double low = -1;     // phase thresholds (ready tasks); < 0: from the machine
  double high = -1;
  double rise = 0.0;
  std::size_t window = 8;     // queued tasks a worker looks at
  std::string mode = "auto";  // auto, ability (always plentiful), efficiency (always scarce)
  std::string placement =
      "fifo";                  // fifo: behind all queued work; ordered: behind more important work
  double near = 0.95;          // near-tie: key within this fraction of the head's
  std::string key = "bottom";  // bottom, ability or priority
  bool ready_first = true;     // prefer queued tasks whose data are already there

  // Throws std::invalid_argument naming the bad value (the caller says which policy).
  void validate() const {
    auto bad = [](const std::string& what) { throw std::invalid_argument(what); };
    if (sketch < 3 || sketch > 4096)
      bad("sketch size must be in [3, 4096] (got " + std::to_string(sketch) + ")");
    if (mode != "auto" && mode != "ability" && mode != "efficiency") {
      bad("mode must be auto, ability or efficiency (got '" + mode + "')");
    }
    if (key != "bottom" && key != "ability" && key != "priority") {
      bad("key must be bottom, ability or priority (got '" + key + "')");
    }
    if (placement != "fifo" && placement != "ordered")
      bad("placement must be fifo or ordered (got '" + placement + "')");
    if (window < 1) bad("window must be at least 1");
  }
};

template <class Host>
class Core {
 public:
  using Task = typename Host::Task;
  static constexpr std::size_t kNoWorker = std::numeric_limits<std::size_t>::max();

  Core(const Host& host, const Tunables& t)
      : host_(host),
        t_(t),
        attributes_(
            Attributes::Options{t.sketch, t.horizon_us, t.horizon_factor, t.key == "ability"}),
        controller_(PhaseController::Thresholds{}) {}

  // The machine is known (or changed): (re)build the per-worker state.
  void attach() {
    std::lock_guard lock(mutex_);
    const std::size_t n = host_.worker_count();
    state_.assign(n, WorkerState{});
    speed_sum_.assign(n, 0.0);
    speed_samples_ = 0;
    PhaseController::Thresholds th;
    th.low = t_.low >= 0 ? t_.low : static_cast<double>(n);
    th.high = t_.high >= 0 ? t_.high : 2.0 * static_cast<double>(n);
    th.rise = t_.rise;
    controller_ = PhaseController(th);
  }

  // A task is submitted, after every one of its predecessors (given by id; unknown or
  // finished ones are fine).
  void submitted(Task task, std::span<const std::uint64_t> predecessor_ids) {
    const double weight = fastest_length(task);
    std::lock_guard lock(mutex_);
    preds_.clear();
    for (std::uint64_t p : predecessor_ids) {
      if (const auto node = node_of(p)) preds_.push_back(*node);
    }
    node_by_task_[host_.id(task)] = attributes_.add(preds_, weight);
  }

  // A task is ready: queues it on a worker and returns that worker (kNoWorker: none can run
  // it). `on_queued(worker)` runs under the core's lock, before any worker can pop the task.
  template <class OnQueued>
  std::size_t push(Task task, OnQueued&& on_queued) {
    std::lock_guard lock(mutex_);
    Entry entry = make_entry(task);
    const std::size_t target = place(entry);
    if (target == kNoWorker) return kNoWorker;
    WorkerState& s = state_[target];
    s.queue.insert(std::upper_bound(s.queue.begin(), s.queue.end(), entry, before), entry);
    on_queued(target);
    s.queued_us += entry.length;
    ++ready_;
    learn_speeds(task);
    controller_.observe(static_cast<double>(ready_));
    return target;
  }

  std::size_t push(Task task) {
    return push(task, [](std::size_t) {});
  }

  std::optional<Task> pop(std::size_t worker) {
    std::lock_guard lock(mutex_);
    WorkerState& s = state_[worker];
    if (s.queue.empty()) return std::nullopt;
    const std::size_t chosen = choose(s, worker);
    const Entry entry = s.queue[chosen];
    take(s, chosen);
    s.running_end = host_.now_us() + entry.length;
    return entry.task;
  }

  void finished(Task task, std::size_t worker) {
    std::lock_guard lock(mutex_);
    if (worker < state_.size()) state_[worker].running_end = host_.now_us();
    forget(host_.id(task));
  }
  void cancelled(Task task) {
    std::lock_guard lock(mutex_);
    forget(host_.id(task));
  }

  std::size_t queued(std::size_t worker) {
    std::lock_guard lock(mutex_);
    return state_[worker].queue.size();
  }
  Phase phase() const {
    return t_.mode == "ability"      ? Phase::plentiful
           : t_.mode == "efficiency" ? Phase::scarce
                                     : controller_.phase();
  }

 private:
  struct Entry {
    Task task{};
    std::uint64_t id = 0;
    double key = 0;  // the queue order: bottom level, ability or priority
    std::uint32_t efficiency = 0;
    int priority = 0;
    double length = 0;  // expected duration on the chosen worker
  };
  struct WorkerState {
    std::vector<Entry> queue;  // by key, then priority, then submission
    double queued_us = 0.0;
    double running_end = 0.0;
  };

  static bool before(const Entry& a, const Entry& b) {
    if (a.key != b.key) return a.key > b.key;
    if (a.priority != b.priority) return a.priority > b.priority;
    return a.id < b.id;
  }

  std::optional<Attributes::Node> node_of(std::uint64_t id) const {
    const auto it = node_by_task_.find(id);
    if (it == node_by_task_.end()) return std::nullopt;
    return it->second;
  }

  void forget(std::uint64_t id) {
    const auto it = node_by_task_.find(id);
    if (it == node_by_task_.end()) return;
    attributes_.mark_finished(it->second);
    node_by_task_.erase(it);
    if (attributes_.worth_compacting()) {
      // Finished tasks' attributes are dead weight: a job that runs for hours keeps only the
      // unfinished part of its graph. Every task still known here is unfinished.
      const std::vector<Attributes::Node> renumber = attributes_.compact();
      for (auto& [task, node] : node_by_task_) node = renumber[node];
    }
  }

  void take(WorkerState& s, std::size_t index) {
    const Entry entry = s.queue[index];
    s.queue.erase(s.queue.begin() + static_cast<std::ptrdiff_t>(index));
    s.queued_us = std::max(0.0, s.queued_us - entry.length);
    --ready_;
    controller_.observe(static_cast<double>(ready_));
  }

  double fastest_length(Task task) const {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t w = 0; w < host_.worker_count(); ++w) {
      if (!host_.can_execute(task, w)) continue;
      if (auto length = host_.expected_length_us(task, w)) best = std::min(best, *length);
    }
    return std::isfinite(best) ? best : 0.0;
  }

  // Relative speeds of the workers (fastest duration over theirs, averaged over the tasks
  // seen): their sum is the machine's effective parallelism, in fastest-worker units. The
  // phase thresholds follow it unless given: scarce below one ready task per effective
  // worker, plentiful above two.
  void learn_speeds(Task task) {
    if (t_.low >= 0 && t_.high >= 0) return;
    const std::size_t n = host_.worker_count();
    double fastest = std::numeric_limits<double>::infinity();
    lengths_.assign(n, -1.0);
    for (std::size_t w = 0; w < n; ++w) {
      if (!host_.can_execute(task, w)) continue;
      if (auto l = host_.expected_length_us(task, w); l && *l > 0) {
        lengths_[w] = *l;
        fastest = std::min(fastest, *l);
      }
    }
    if (!std::isfinite(fastest)) return;
    ++speed_samples_;
    double parallelism = 0;
    for (std::size_t w = 0; w < n; ++w) {
      if (lengths_[w] > 0) speed_sum_[w] += fastest / lengths_[w];
      parallelism += speed_sum_[w] / static_cast<double>(speed_samples_);
    }
    PhaseController::Thresholds th = controller_.thresholds();
    th.low = t_.low >= 0 ? t_.low : parallelism;
    th.high = t_.high >= 0 ? t_.high : 2.0 * parallelism;
    controller_.retune(th);
  }

  Entry make_entry(Task task) {
    Entry e;
    e.task = task;
    e.id = host_.id(task);
    e.priority = host_.priority(task);
    if (t_.key == "priority") {
      e.key = e.priority;
    } else if (const auto node = node_of(e.id)) {
      e.key = t_.key == "bottom" ? attributes_.bottom_level(*node) : attributes_.ability(*node);
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

  std::size_t place(Entry& entry) {
    const double now = host_.now_us();
    const bool ordered = t_.placement == "ordered";
    const sched::Placement p = sched::place_earliest_finish(
        host_, entry.task, t_.alpha, t_.beta,
        [&](std::size_t w) {
          const WorkerState& s = state_[w];
          return std::max(now, s.running_end) + (ordered ? work_before(s, entry) : s.queued_us);
        },
        [&](std::size_t w) {
          // Uncalibrated: the fewest queued tasks (their lengths are unknown too).
          const WorkerState& s = state_[w];
          return static_cast<double>(s.queue.size()) + (s.running_end > now ? 0.5 : 0.0);
        },
        candidates_);
    entry.length = p.length_us;
    return p.worker == sched::Placement::kNone ? kNoWorker : p.worker;
  }

  std::size_t choose(const WorkerState& s, std::size_t worker) const {
    const std::size_t depth = std::min(s.queue.size(), t_.window);
    if (phase() == Phase::plentiful) {
      if (!t_.ready_first) return 0;
      for (std::size_t i = 0; i < depth; ++i) {
        if (host_.expected_transfer_us(s.queue[i].task, worker) <= 0.0) return i;
      }
      return 0;
    }
    // Scarce: among the first few, data already here first, then most efficiency, then
    // queue order; only among tasks about as important as the head.
    std::size_t best = 0;
    bool best_ready = false;
    std::uint32_t best_efficiency = 0;
    for (std::size_t i = 0; i < depth; ++i) {
      if (s.queue[i].key < t_.near * s.queue[0].key) break;
      const bool ready = host_.expected_transfer_us(s.queue[i].task, worker) <= 0.0;
      const std::uint32_t efi = s.queue[i].efficiency;
      if (i == 0 || (ready && !best_ready) || (ready == best_ready && efi > best_efficiency)) {
        best = i;
        best_ready = ready;
        best_efficiency = efi;
      }
    }
    return best;
  }

  const Host& host_;
  Tunables t_;
  std::mutex mutex_;
  Attributes attributes_;
  std::unordered_map<std::uint64_t, Attributes::Node> node_by_task_;
  std::vector<Attributes::Node> preds_;
  std::vector<WorkerState> state_;
  std::vector<sched::PlacementCandidate> candidates_;
  PhaseController controller_;
  std::size_t ready_ = 0;
  std::vector<double> speed_sum_;
  std::vector<double> lengths_;
  std::uint64_t speed_samples_ = 0;
};

}  // namespace tessera::inspirit
