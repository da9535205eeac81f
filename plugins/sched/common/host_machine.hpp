#pragma once
// HostMachine: a PolicyHost seen as the plain "machine" that host-independent algorithms
// (INSPIRIT's core, the earliest-finish placement) are written against: workers by index,
// tasks as TaskViews. The StarPU plug-in gives the same algorithms its own machine.

#include <cstddef>
#include <cstdint>
#include <optional>

#include "tessera/policy.hpp"

namespace tessera::sched {

class HostMachine {
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

}  // namespace tessera::sched
