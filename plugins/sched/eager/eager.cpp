// eager: one central FIFO shared by all workers. Simple and fair; the reference point.

#include "common/locked_deque.hpp"

namespace tessera::sched {
namespace {

class EagerPolicy final : public Policy {
 public:
  explicit EagerPolicy(const PolicyOptions& options) { options.expect_only("eager", {}); }
  std::string_view name() const override { return "eager"; }

  WorkerId push(TaskView task) override {
    queue_.push_back(task);
    return kAnyWorker;
  }
  TaskView pop(WorkerId worker) override {
    return queue_.pop_front_if(
        runnable_by(host(), worker));
  }

 private:
  LockedDeque queue_;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::EagerPolicy, "eager",
                        "central FIFO queue shared by all workers")
