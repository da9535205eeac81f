#pragma once
#include "sim_costs.hpp"
#include "tessera/simulation.hpp"

namespace tessera::detail {

// Critical path (each task at its fastest) and area bound for the durations in `costs`.
LowerBound compute_lower_bound(const Dag& dag, const SimCosts& costs);

}  // namespace tessera::detail
