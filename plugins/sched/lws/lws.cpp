// lws: locality work stealing. A task released by a worker goes to that worker's queue, so
// successors run where their inputs were just produced; tasks submitted from outside are
// dealt round-robin. A worker runs its own queue in FIFO order and, when empty, steals from
// its neighbours nearest first (workers sharing the most cache, from hwloc).

#include <atomic>
#include <memory>

#include "common/locked_deque.hpp"
#include "common/worker_set.hpp"

namespace tessera::sched {
namespace {

class LwsPolicy final : public Policy {
 public:
  explicit LwsPolicy(const PolicyOptions& options) { options.expect_only("lws", {}); }
  std::string_view name() const override { return "lws"; }

  void on_attach() override {
    queues_ = std::make_unique<PerWorker<LockedDeque>[]>(host().workers().size());
  }

  WorkerId push(TaskView task) override {
    const WorkerId self = host().current_worker();
    if (self != kAnyWorker &&
        host().can_execute(task, self)) {
      queues_[static_cast<std::size_t>(self)].value.push_back(task);
      return kAnyWorker;  // a sleeping neighbour may steal it if this worker stays busy
    }
    const WorkerId target =
        nth_capable_worker(host(), task, next_.fetch_add(1, std::memory_order_relaxed));
    queues_[static_cast<std::size_t>(target)].value.push_back(task);
    return target;
  }

  TaskView pop(WorkerId worker) override {
    const WorkerInfo& me = host().workers()[static_cast<std::size_t>(worker)];
    const auto can_run = runnable_by(host(), worker);
    if (TaskView task = queues_[static_cast<std::size_t>(worker)].value.pop_front_if(can_run))
      return task;
    for (WorkerId victim : me.neighbors) {
      // Steal the newest task: the victim keeps the older ones it is about to run.
      if (TaskView task = queues_[static_cast<std::size_t>(victim)].value.pop_back_if(can_run))
        return task;
    }
    return {};
  }

 private:
  std::unique_ptr<PerWorker<LockedDeque>[]> queues_;
  std::atomic<std::uint64_t> next_{0};
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(
    tessera::sched::LwsPolicy, "lws",
    "locality work stealing: own FIFO, steal from nearest neighbours first (default)")
