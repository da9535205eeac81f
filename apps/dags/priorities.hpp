#pragma once
// Priority schemes for task graphs, applied to a Dag before it is simulated or run:
//   classic       the generators' critical-path formulas (Cholesky: POTRF 2N-2k, ...),
//                 kept as generated;
//   bottom-level  the length of the longest path from the task to the end of the graph,
//                 each task costing its duration on the fastest kind of worker for it, in
//                 microseconds (so it is computed from the performance models);
//   none          every priority 0.

#include <string_view>

#include <tessera/dag.hpp>
#include <tessera/platform.hpp>

namespace tessera::dags {

enum class PriorityScheme { classic, bottom_level, none };

// Throws InvalidArgument for an unknown name.
PriorityScheme parse_priority_scheme(std::string_view name);

void apply_priorities(Dag& dag, const Platform& platform, PriorityScheme scheme);

}  // namespace tessera::dags
