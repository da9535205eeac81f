#pragma once
// Random task graphs in the style of DAGGEN (Suter and Hunold's generator for scheduling
// research): tasks are laid out in levels; `fat` sets the width (about n^fat tasks per
// level), `regularity` how much level widths vary, `density` the probability of an edge
// from a task to each task of the `jump` levels above it, and `ccr` the
// communication-to-computation ratio. Each task writes one piece of data that its children
// read, so dependencies come from data accesses as in any Tessera graph.

#include <cstdint>
#include <string_view>

#include <tessera/dag.hpp>

namespace tessera::dags {

struct RandomDagOptions {
  int n = 100;
  double fat = 0.5;         // (0, 1]: 0 a chain, 1 fully parallel
  double density = 0.5;     // (0, 1]
  double regularity = 0.5;  // [0, 1]: 1 all levels equally wide
  int jump = 1;             // >= 1: an edge may skip jump - 1 levels
  double ccr = 0.1;         // transfer time over compute time, at 10 GB/s and CPU speed
  double min_cost_us = 2000;
  double max_cost_us = 20000;
  double min_speedup = 0.5;  // GPU over CPU, drawn uniformly in log space
  double max_speedup = 50.0;
  double gpu_share = 0.85;   // fraction of tasks with a GPU implementation
  std::uint64_t seed = 1;
};

// Throws InvalidArgument for out-of-range options.
Dag random_dag(const RandomDagOptions& options);

// Parses "n=200,fat=0.5,density=0.4,regularity=0.5,jump=2,ccr=0.1,seed=7" (any subset).
RandomDagOptions parse_random_options(std::string_view text);

}  // namespace tessera::dags
