#pragma once
// MachineModel: what the engine and its policy know of the machine's data movement — the
// links between memory nodes and the expected time to bring a task's data to a worker.
// One interface for every kind of runtime: the DataMover answers for real devices, the
// SimExecutor for a simulated platform, HostOnlyMachine where all data live in host memory.

#include "tessera/policy.hpp"
#include "tessera/worker.hpp"

namespace tessera::detail {

struct Task;

class MachineModel {
 public:
  virtual ~MachineModel() = default;
  // The link between two distinct memory nodes.
  virtual LinkModel link(int from_node, int to_node) const = 0;
  // Expected time to make the task's data valid on the worker's memory node.
  virtual double expected_transfer_us(const Task& task, const WorkerInfo& worker) const = 0;
};

// One memory node: nothing ever moves.
class HostOnlyMachine final : public MachineModel {
 public:
  LinkModel link(int, int) const override { return {}; }
  double expected_transfer_us(const Task&, const WorkerInfo&) const override { return 0.0; }
};

// Two links one after the other (a route through host memory): latencies and per-byte
// times add up; the route is shared if either hop is.
inline LinkModel chain(const LinkModel& first, const LinkModel& second) {
  return {first.latency_us + second.latency_us, first.us_per_byte + second.us_per_byte,
          first.shared || second.shared};
}

}  // namespace tessera::detail
