#pragma once
// SpAMM's task graph in the simulator: the same graph as apps/spamm/spamm (norm tasks, then
// one product task per C tile reading only its selected tiles) as a Dag, each product task
// costing its number of selected k times the platform's GEMM cost scaled to the tile size.
// Its makespan under Tessera's policies is compared with cuSpAMM's static split, which gives
// each GPU an equal, contiguous range of C tile rows.

#include <string>
#include <vector>

#include <tessera/dag.hpp>
#include <tessera/platform.hpp>
#include <tessera/simulation.hpp>

#include "spamm/matrix_source.hpp"
#include "spamm/selection.hpp"

namespace tessera::spamm {

// Tile norms of a generated matrix (B = A) without storing it: O(n^2) time, O(n) memory.
TileNorms generated_norms(const MatrixSpec& spec, std::size_t n, std::size_t tile);

struct SimCosts {
  double cuda_tile_product_us = 0.0;  // one tile x tile x tile FP32 product on a GPU
  double cpu_tile_product_us = 0.0;   // on a CPU core; 0: CPU workers get no SpAMM task
};
// From the platform's "gemm" (single precision) entry, scaled by (tile / platform.tile)^3.
// Throws InvalidArgument naming the platform when it has no GPU GEMM cost.
SimCosts sim_costs(const Platform& platform, std::size_t tile, bool use_cpus);

// The graph: norm tasks cost one tile product / tile per tile they read (O(tile^2) work),
// a product task `selected k` tile products (or 1/tile of one when none is selected: it
// only zeroes its tile). Priority = number of selected k.
Dag spamm_dag(const TileNorms& norms, float tau, std::size_t tile, const SimCosts& costs);

// cuSpAMM's static split over the platform's GPUs: GPU g computes the norms and the C tile
// rows [g * t / G, (g + 1) * t / G). `makespan_us` is the most loaded GPU's compute time
// (transfers free); `with_transfers_us` adds to each GPU the copies cuSpAMM makes — its rows
// of A and all of B in, its rows of C out — over its own host links at full bandwidth, not
// overlapped with computing and without contention between GPUs (optimistic for shared buses).
struct RowSplit {
  double makespan_us = 0.0;
  double with_transfers_us = 0.0;
  std::vector<double> gpu_busy_us;
};
RowSplit row_split(const TileNorms& norms, float tau, std::size_t tile, const SimCosts& costs,
                   const Platform& platform);

}  // namespace tessera::spamm
