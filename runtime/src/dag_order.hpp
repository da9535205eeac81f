#pragma once
// Orders DAG tasks so that each comes after the tasks its `after` list names (indices into
// the unordered list), keeping the given order wherever possible. Shared by the readers.

#include <string>
#include <vector>

#include "tessera/dag.hpp"

namespace tessera::detail {

// Rewrites tasks[i].after with indices into the new order. Throws InvalidArgument naming
// `source` and a task on a cycle.
void order_by_after(std::vector<DagTask>& tasks, std::vector<std::vector<std::size_t>>& after,
                    const std::string& source);

// The largest task cost a graph file may give, in microseconds (about 31 years): larger ones
// are typos, and summing them would overflow what the policies and bounds compute.
inline constexpr double kMaxTaskCostUs = 1e15;
inline constexpr double kMaxTaskFlops = 1e24;
// Throws InvalidArgument naming `source`, the task and the value when a cost or a flop
// count is negative, not finite or above those limits.
void check_task_numbers(const std::vector<DagTask>& tasks, const std::string& source);

}  // namespace tessera::detail
