#pragma once
// The run-demo workload: explicit 1D heat diffusion on a tiled vector, then a tree
// reduction of the final temperatures. Each time step is one task per tile that reads its
// neighbours' tiles of the previous step (double buffering), so the graph has real
// dependencies and real arithmetic. The result is checked against a sequential run of the
// same arithmetic, which must agree bit for bit.

#include <cstddef>
#include <vector>

#include <tessera/runtime.hpp>

namespace tessera::demo {

struct HeatOptions {
  std::size_t points = 1 << 20;
  std::size_t tiles = 64;
  int steps = 100;
  double alpha = 0.25;  // diffusion number; stable for alpha <= 0.5
};

struct HeatResult {
  double total = 0.0;      // sum of the final temperatures, from the task graph
  double reference = 0.0;  // the same, computed sequentially
  double max_abs_diff = 0.0;
  bool ok = false;
  double seconds = 0.0;
  std::size_t tasks = 0;
};

// Throws InvalidArgument for inconsistent options (no points, more tiles than points...).
void validate(const HeatOptions& options);
HeatResult run_heat(Runtime& runtime, const HeatOptions& options);

}  // namespace tessera::demo
