// random: each ready task goes to the FIFO of a worker drawn uniformly among those that can
// run it; workers only pop their own queue. A baseline for the smarter policies.

#include <atomic>
#include <memory>

#include "common/locked_deque.hpp"
#include "common/worker_set.hpp"

namespace tessera::sched {
namespace {

const std::vector<PolicyOptionInfo>& random_options() {
  static const std::vector<PolicyOptionInfo> options{
      {"seed", "-1", "seed of the draws (-1: the runtime's seed, fixed in the simulator)"}};
  return options;
}

class RandomPolicy final : public Policy {
 public:
  explicit RandomPolicy(const PolicyOptions& options) : seed_option_(options.get_int("seed", -1)) {
    options.expect_only("random", random_options());
  }
  std::string_view name() const override { return "random"; }

  void on_attach() override {
    seed_ = seed_option_ >= 0 ? static_cast<std::uint64_t>(seed_option_) : host().seed();
    queues_ = std::make_unique<PerWorker<LockedDeque>[]>(host().workers().size());
  }
  WorkerId push(TaskView task) override {
    const std::uint64_t draw = mix64(seed_ ^ counter_.fetch_add(1, std::memory_order_relaxed));
    const WorkerId target = nth_capable_worker(host(), task, draw);
    queues_[static_cast<std::size_t>(target)].value.push_back(task);
    return target;
  }
  TaskView pop(WorkerId worker) override {
    return queues_[static_cast<std::size_t>(worker)].value.pop_front_if(
        [](TaskView) { return true; });
  }

 private:
  long seed_option_;
  std::uint64_t seed_ = 0;
  std::atomic<std::uint64_t> counter_{0};
  std::unique_ptr<PerWorker<LockedDeque>[]> queues_;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::RandomPolicy, "random",
                        "each ready task to a uniformly random capable worker",
                        tessera::sched::random_options())
