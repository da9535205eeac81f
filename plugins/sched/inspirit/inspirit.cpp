// inspirit: adaptive-priority scheduling from the task graph (Wang, Liu, Yang et al.,
// "INSPIRIT: Optimizing Heterogeneous Task Scheduling through Adaptive Priority in
// Task-based Runtime Systems", arXiv 2404.03226). See docs/inspirit.md.
//
// The algorithm is inspirit::Core (core.hpp), shared with the StarPU plug-in; this file
// adapts it to Tessera's Policy interface and prefetches a placed task's inputs.

#include <stdexcept>
#include <string>
#include <vector>

#include "common/host_machine.hpp"
#include "inspirit/core.hpp"
#include "inspirit/plan_follower.hpp"
#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched {
namespace {

// Every option, its default and meaning (docs/inspirit.md explains them at length).
const std::vector<PolicyOptionInfo>& inspirit_options() {
  static const std::vector<PolicyOptionInfo> options{
      {"key", "bottom", "queue order: bottom (bottom level), ability or priority"},
      {"mode", "auto", "auto (phases), ability (always plentiful), efficiency (always scarce)"},
      {"low", "-1", "scarce below this many ready tasks (-1: the effective parallelism)"},
      {"high", "-1", "plentiful above this many ready tasks (-1: twice the effective parallelism)"},
      {"rise", "0", "smoothed change per observation above which the count is rising"},
      {"alpha", "1", "weight of the expected finish time in placement"},
      {"beta", "0.5", "weight of the expected transfer time in placement"},
      {"placement", "fifo", "expected start: fifo (behind all queued work) or ordered"},
      {"window", "8", "how deep a worker looks into its queue"},
      {"near", "0.95", "how close to the head's key a task must be to be picked for efficiency"},
      {"ready_first", "1", "prefer queued tasks whose data are already there"},
      {"horizon_us", "0", "efficiency horizon in microseconds (0: horizon_factor x mean weight)"},
      {"horizon_factor", "2", "efficiency horizon as a multiple of the mean task weight"},
      {"sketch", "32", "k of the ability sketch, 3 to 4096"},
      {"plan", "1", "plan the known graph first (0: dynamic scheduling only)"},
      {"rounds", "20", "forward-backward rounds per planning start, 0 to 1000"},
      {"restarts", "30", "planning starts from perturbed bottom levels"},
      {"budget", "2000000", "task placements before no new planning start begins"},
      {"tolerance", "0.02", "lag, as a fraction of the planned makespan, that abandons the plan"},
      {"lookahead", "4", "planned tasks per worker whose inputs may move ahead"},
      {"plan_time", "0.02", "planning stops after this fraction of the best planned makespan"}};
  return options;
}

inspirit::Tunables tunables(const PolicyOptions& o) {
  o.expect_only("inspirit", inspirit_options());
  inspirit::Tunables t;
  t.sketch = static_cast<int>(o.get_int("sketch", t.sketch));
  t.horizon_us = o.get_double("horizon_us", t.horizon_us);
  t.horizon_factor = o.get_double("horizon_factor", t.horizon_factor);
  t.alpha = o.get_double("alpha", t.alpha);
  t.beta = o.get_double("beta", t.beta);
  t.low = o.get_double("low", t.low);
  t.high = o.get_double("high", t.high);
  t.rise = o.get_double("rise", t.rise);
  const long window = o.get_int("window", static_cast<long>(t.window));
  t.window = window < 1 ? 0 : static_cast<std::size_t>(window);
  t.mode = o.get("mode", t.mode);
  t.placement = o.get("placement", t.placement);
  t.near = o.get_double("near", t.near);
  t.key = o.get("key", t.key);
  t.ready_first = o.get_bool("ready_first", t.ready_first);
  try {
    t.validate();
  } catch (const std::invalid_argument& e) {
    throw InvalidArgument(e.what());
  }
  return t;
}

// An integer option within [low, high]; out of range is an error naming it.
long bounded(const PolicyOptions& o, const char* key, long fallback, long low, long high) {
  const long value = o.get_int(key, fallback);
  if (value < low || value > high) {
    throw InvalidArgument(std::string(key) + " must be in [" + std::to_string(low) + ", " +
                          std::to_string(high) + "] (got " + std::to_string(value) + ")");
  }
  return value;
}

inspirit::PlanFollower::Options plan_options(const PolicyOptions& o) {
  inspirit::PlanFollower::Options p;
  p.enabled = o.get_bool("plan", p.enabled);
  p.rounds = static_cast<int>(bounded(o, "rounds", p.rounds, 0, 1000));
  p.restarts = static_cast<int>(bounded(o, "restarts", p.restarts, 0, 100000));
  p.budget = static_cast<std::size_t>(
      bounded(o, "budget", static_cast<long>(p.budget), 0, 1'000'000'000'000L));
  p.lookahead = static_cast<std::size_t>(
      bounded(o, "lookahead", static_cast<long>(p.lookahead), 1, 1'000'000'000L));
  p.time_share = o.get_double("plan_time", p.time_share);
  if (!(p.time_share > 0))
    throw InvalidArgument("plan_time must be positive (got " + o.get("plan_time", "") + ")");
  p.tolerance = o.get_double("tolerance", p.tolerance);
  if (!(p.tolerance >= 0))
    throw InvalidArgument("tolerance must be at least 0 (got " + o.get("tolerance", "") + ")");
  return p;
}

class InspiritPolicy final : public Policy {
 public:
  explicit InspiritPolicy(const PolicyOptions& o)
      : core_(machine_, tunables(o)), plan_(plan_options(o)) {}
  std::string_view name() const override { return "inspirit"; }

  void on_attach() override {
    machine_.policy_host = &host();
    core_.attach();
  }

  void on_submit(TaskView task) override {
    thread_local std::vector<std::uint64_t> preds;  // several threads may submit
    preds.clear();
    task.for_each_predecessor([&](TaskView p) { preds.push_back(p.id()); });
    core_.submitted(task, preds);
    plan_.submitted(task);
  }

  WorkerId push(TaskView task) override {
    if (const auto planned = plan_.ready(host(), task)) return *planned;
    return push_dynamic(task);
  }

  TaskView pop(WorkerId worker) override {
    const TaskView planned = plan_.pop(host(), worker);
    hand_over();
    if (planned) return planned;
    const auto task = core_.pop(static_cast<std::size_t>(worker));
    return task ? *task : TaskView{};
  }

  void on_finish(TaskView task, WorkerId worker) override {
    plan_.finished(host(), task);
    core_.finished(task, static_cast<std::size_t>(worker));
    hand_over();
  }
  void on_cancel(TaskView task) override {
    plan_.cancelled(task);
    core_.cancelled(task);
  }
  void on_external_done(TaskView task) override { on_cancel(task); }  // never pushed either
  void on_batch_begin() override { plan_.batch_begin(); }
  void on_batch_submitted() override { plan_.batch_submitted(host()); }

 private:
  using Core = inspirit::Core<HostMachine>;

  WorkerId push_dynamic(TaskView task) {
    const std::size_t target = core_.push(task);
    if (target == Core::kNoWorker)
      throw Error("policy 'inspirit': no worker can run task " + std::to_string(task.id()));
    host().prefetch(task, static_cast<WorkerId>(target));
    return static_cast<WorkerId>(target);
  }

  // The plan was abandoned: its ready tasks go to the dynamic scheduler.
  void hand_over() {
    for (TaskView task : plan_.take_handover()) push_dynamic(task);
  }

  HostMachine machine_;
  Core core_;
  inspirit::PlanFollower plan_;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(
    tessera::sched::InspiritPolicy, "inspirit",
    "INSPIRIT: adaptive priorities from inspiring ability and efficiency (see docs/inspirit.md)",
    tessera::sched::inspirit_options())
