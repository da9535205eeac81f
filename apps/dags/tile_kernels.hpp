#pragma once
// The tile kernels of the dense factorizations: their task type (as in platform task_costs),
// how much data they touch and how many flops they do on b x b tiles. One table serves the
// DAG generators, the simulator's size lookups, the StarPU importer and the real kernels.

#include <string_view>

namespace tessera::dags {

struct TileKernel {
  std::string_view type;
  double tiles;        // data accessed, in b x b tiles (QR's T factors are b/4 x b)
  double flop_factor;  // flops = flop_factor * b^3
};

inline constexpr TileKernel kPotrf{"potrf", 1.0, 1.0 / 3.0};
inline constexpr TileKernel kTrsm{"trsm", 2.0, 1.0};
inline constexpr TileKernel kSyrk{"syrk", 2.0, 1.0};
inline constexpr TileKernel kGemm{"gemm", 3.0, 2.0};
inline constexpr TileKernel kGetrf{"getrf", 1.0, 2.0 / 3.0};
inline constexpr TileKernel kTrsmLL{"trsm_ll", 2.0, 1.0};
inline constexpr TileKernel kTrsmRU{"trsm_ru", 2.0, 1.0};
inline constexpr TileKernel kGeqrt{"geqrt", 1.25, 4.0 / 3.0};
inline constexpr TileKernel kUnmqr{"unmqr", 2.25, 2.0};
inline constexpr TileKernel kTsqrt{"tsqrt", 2.25, 2.0};
inline constexpr TileKernel kTsmqr{"tsmqr", 3.25, 4.0};

inline constexpr TileKernel kAllTileKernels[] = {kPotrf, kTrsm,   kSyrk,  kGemm,  kGetrf, kTrsmLL,
                                                 kTrsmRU, kGeqrt, kUnmqr, kTsqrt, kTsmqr};

constexpr double tile_flops(const TileKernel& k, double b) { return k.flop_factor * b * b * b; }
constexpr double tile_bytes(const TileKernel& k, double b, double elem_size) { return k.tiles * b * b * elem_size; }

// The kernel of a type name, or null.
constexpr const TileKernel* find_tile_kernel(std::string_view type) {
  for (const TileKernel& k : kAllTileKernels) {
    if (k.type == type) return &k;
  }
  return nullptr;
}

}  // namespace tessera::dags
