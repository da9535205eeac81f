// ws: work stealing. A task released by a worker goes to that worker's deque; tasks
// submitted from outside are dealt round-robin. A worker pops the newest task of its own
// deque (LIFO: its data is hot in cache) and, when empty, steals the oldest task of another
// worker, visiting victims round-robin from a rotating start.

#include <atomic>
#include <memory>

#include "common/locked_deque.hpp"
#include "common/worker_set.hpp"

namespace tessera::sched {
namespace {

class WsPolicy final : public Policy {
 public:
  explicit WsPolicy(const PolicyOptions& options) { options.expect_only("ws", {}); }
  std::string_view name() const override { return "ws"; }

  void on_attach() override {
    queues_ = std::make_unique<PerWorker<LockedDeque>[]>(host().workers().size());
  }

  WorkerId push(TaskView task) override {
    const WorkerId self = host().current_worker();
    if (self != kAnyWorker &&
        host().can_execute(task, self)) {
      queues_[static_cast<std::size_t>(self)].value.push_back(task);
      return kAnyWorker;  // wake a sleeper: it will steal if this worker is busy
    }
    const WorkerId target =
        nth_capable_worker(host(), task, next_.fetch_add(1, std::memory_order_relaxed));
    queues_[static_cast<std::size_t>(target)].value.push_back(task);
    return target;
  }

  TaskView pop(WorkerId worker) override {
    const auto workers = host().workers();
    const auto can_run = runnable_by(host(), worker);
    if (TaskView task = queues_[static_cast<std::size_t>(worker)].value.pop_back_if(can_run))
      return task;
    const std::size_t n = workers.size();
    const std::size_t start = steal_start_.fetch_add(1, std::memory_order_relaxed);
    for (std::size_t k = 0; k < n; ++k) {
      const std::size_t victim = (start + k) % n;
      if (victim == static_cast<std::size_t>(worker)) continue;
      if (TaskView task = queues_[victim].value.pop_front_if(can_run)) return task;
    }
    return {};
  }

 private:
  std::unique_ptr<PerWorker<LockedDeque>[]> queues_;
  std::atomic<std::uint64_t> next_{0};
  std::atomic<std::size_t> steal_start_{0};
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::WsPolicy, "ws",
                        "work stealing: own deque LIFO, steal the oldest task of other workers")
