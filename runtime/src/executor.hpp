#pragma once
// Executor: what drives the workers of an Engine. Real threads (CpuWorkers) or the
// virtual-time simulator (SimExecutor) implement it; the engine and its policy do not know
// which one runs them.

#include <atomic>
#include <cstdint>
#include <optional>

#include "tessera/worker.hpp"
#include "wakeup_point.hpp"

namespace tessera::detail {

struct Task;
class MachineModel;

class Executor {
 public:
  virtual ~Executor() = default;
  virtual void start() = 0;
  // Stops the workers; called once no task is left.
  virtual void stop() = 0;
  virtual void wake(WorkerId worker) = 0;
  // Wakes one sleeping worker whose architecture is in `arch_mask` (bit index_of(arch)).
  virtual void wake_any(unsigned arch_mask) = 0;
  // Wakes every worker (the runtime resumed).
  virtual void wake_all() {}
  // The worker on whose behalf the calling code runs, or kAnyWorker.
  virtual WorkerId current_worker() const = 0;
  virtual double now_us() const = 0;
  // Returns once `in_flight` is zero. Threads just wait; a simulator runs its event loop.
  virtual void drain(std::atomic<std::int32_t>& in_flight, WakeupPoint& drained) = 0;
  // How often a sleeping worker found work that no wake-up announced (0 where workers are
  // not threads): a missed wake-up, which only the sleep bound turned into a delay.
  virtual std::uint64_t late_wakeups(WorkerId /*worker*/) const { return 0; }
  // Starts moving the task's input data to the worker's memory node ahead of time.
  virtual void prefetch(Task& /*task*/, WorkerId /*worker*/) {}
  virtual void prefetch_access(Task& /*task*/, std::size_t /*access*/, WorkerId /*worker*/) {}
  // The executor's own model of the machine (a simulated platform), or null: the engine
  // then uses its data mover's, or the host-only one.
  virtual const MachineModel* machine() const { return nullptr; }
  // A prediction that overrides the codelet's performance model (the simulator's costs).
  virtual std::optional<double> expected_length_us(const Task& /*task*/,
                                                   WorkerId /*worker*/) const {
    return std::nullopt;
  }
  // Whether a task may run on a worker beyond its codelet's architectures (e.g. per-kind
  // costs); asked only of executors whose filters_tasks() is true.
  virtual bool can_execute(const Task& /*task*/, WorkerId /*worker*/) const { return true; }
  virtual bool filters_tasks() const { return false; }
  // False for the simulator: kernels never run, data never really moves.
  virtual bool executes_kernels() const { return true; }
};

}  // namespace tessera::detail
