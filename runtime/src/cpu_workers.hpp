#pragma once
// CpuWorkers: one thread per CPU worker, bound to a core. An idle worker polls its policy
// for a short while, then sleeps until a push wakes it: no CPU is burnt while there is no
// work. Wake-ups are targeted (the worker a policy queued a task for) or go to any sleeper.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <thread>
#include <vector>

#include "executor.hpp"
#include "tessera/config.hpp"
#include "tessera/policy.hpp"
#include "tessera/worker.hpp"
#include "wakeup_point.hpp"

namespace tessera::detail {

class Engine;
class CpuTopology;

class CpuWorkers final : public Executor {
 public:
  CpuWorkers(Engine& engine, Policy& policy, std::span<const WorkerInfo> workers,
             std::shared_ptr<const CpuTopology> topology, const Config& config);
  ~CpuWorkers() override;
  CpuWorkers(const CpuWorkers&) = delete;
  CpuWorkers& operator=(const CpuWorkers&) = delete;

  void start() override;
  // Wakes every worker and joins them. Call once no task is left.
  void stop() override;
  void wake(WorkerId worker) override;
  // Wakes one sleeping worker of an architecture in `arch_mask`, if any sleeps.
  void wake_any(unsigned arch_mask) override;
  void wake_all() override;
  // The worker id of the calling thread if it is one of this engine's workers.
  WorkerId current_worker() const override;
  double now_us() const override;
  void drain(std::atomic<std::int32_t>& in_flight, WakeupPoint& drained) override;
  std::uint64_t late_wakeups(WorkerId worker) const override;

 private:
  struct alignas(64) Slot {
    std::atomic<std::uint32_t> seq{0};  // bumped by every wake-up aimed at this worker
    std::atomic<bool> sleeping{false};
    unsigned arch_bit = 0;
    WakeupPoint wakeup;
    std::atomic<std::uint64_t> late_wakeups{0};
  };
  // A sleeping worker looks at its policy at least this often, woken or not.
  static constexpr std::chrono::milliseconds kSleepLimit{20};

  void run(WorkerId worker, int core);
  void run_pipelined(WorkerId worker);
  static constexpr std::size_t kPipelineDepth = 3;
  TaskView find_work(WorkerId worker);
  // The policy's next task for `worker`, or none while the runtime is paused.
  TaskView poll(WorkerId worker);

  Engine& engine_;
  Policy& policy_;
  std::vector<WorkerId> ids_;
  std::vector<int> cores_;
  std::shared_ptr<const CpuTopology> topology_;
  bool bind_;
  int spin_us_;
  std::unique_ptr<Slot[]> slots_;  // indexed by worker id
  std::size_t slot_count_ = 0;
  std::atomic<int> sleepers_{0};
  std::atomic<std::uint32_t> wake_cursor_{0};
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::chrono::steady_clock::time_point start_time_ = std::chrono::steady_clock::now();
};

}  // namespace tessera::detail
