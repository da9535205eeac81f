// inspirit: adaptive-priority scheduling from the task graph (Wang, Liu, Yang et al.,
// "INSPIRIT: Optimizing Heterogeneous Task Scheduling through Adaptive Priority in
// Task-based Runtime Systems", arXiv 2404.03226). See docs/inspirit.md.
//
// The algorithm is inspirit::Core (core.hpp), shared with the StarPU plug-in; this file
// adapts it to Tessera's Policy interface and prefetches a placed task's inputs.

#include <stdexcept>
#include <vector>

#include "inspirit/core.hpp"
#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera::sched {
namespace {

// What the core asks of the machine, answered by Tessera's PolicyHost.
class TesseraHost {
 public:
  using Task = TaskView;
  std::size_t worker_count() const { return host().workers().size(); }
  double now_us() const { return host().now_us(); }
  bool can_execute(TaskView t, std::size_t w) const {
    return host().can_execute(t, static_cast<WorkerId>(w));
  }
  std::optional<double> expected_length_us(TaskView t, std::size_t w) const {
    return host().expected_length_us(t, static_cast<WorkerId>(w));
  }
  double expected_transfer_us(TaskView t, std::size_t w) const {
    return host().expected_transfer_us(t, static_cast<WorkerId>(w));
  }
  std::uint64_t id(TaskView t) const { return t.id(); }
  int priority(TaskView t) const { return t.priority(); }

  const PolicyHost* policy_host = nullptr;  // set when the policy is attached

 private:
  const PolicyHost& host() const { return *policy_host; }
};

inspirit::Tunables tunables(const PolicyOptions& o) {
  o.expect_only("inspirit",
                {"sketch", "horizon_us", "horizon_factor", "alpha", "beta", "low", "high", "rise",
                 "window", "mode", "placement", "key", "ready_first", "near"});
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
    t.validate("inspirit");
  } catch (const std::invalid_argument& e) {
    throw InvalidArgument(e.what());
  }
  return t;
}

class InspiritPolicy final : public Policy {
 public:
  explicit InspiritPolicy(const PolicyOptions& o) : core_(machine_, tunables(o)) {}
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
  }

  WorkerId push(TaskView task) override {
    const std::size_t target = core_.push(task);
    if (target == Core::kNoWorker)
      throw Error("policy 'inspirit': no worker can run task " + std::to_string(task.id()));
    host().prefetch(task, static_cast<WorkerId>(target));
    return static_cast<WorkerId>(target);
  }

  TaskView pop(WorkerId worker) override {
    const auto task = core_.pop(static_cast<std::size_t>(worker));
    return task ? *task : TaskView{};
  }

  void on_finish(TaskView task, WorkerId worker) override {
    core_.finished(task, static_cast<std::size_t>(worker));
  }
  void on_cancel(TaskView task) override { core_.cancelled(task); }

 private:
  using Core = inspirit::Core<TesseraHost>;
  TesseraHost machine_;
  Core core_;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(
    tessera::sched::InspiritPolicy, "inspirit",
    "INSPIRIT: adaptive priorities from inspiring ability and efficiency (see docs/inspirit.md)")
