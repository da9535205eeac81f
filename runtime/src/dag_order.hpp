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

}  // namespace tessera::detail
