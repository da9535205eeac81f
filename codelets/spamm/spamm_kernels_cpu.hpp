#pragma once
// CPU kernels of the SpAMM codelets (internal to codelets/spamm), on raw column-major tiles.

#include <cstddef>
#include <cstdint>
#include <span>

namespace tessera::codelets::spamm::cpu {

struct ConstTile {
  const float* data;
  std::size_t rows, cols, ld;
};
struct Tile {
  float* data;
  std::size_t rows, cols, ld;
};

// ||t||_F, accumulated in double so that large tiles lose nothing to rounding.
float frobenius_norm(ConstTile t);

// C = sum over q with norm_a[ks[q]] * norm_b[ks[q]] >= tau of a[q] b[q] (sgemm per q).
// Returns how many products it computed.
std::size_t product(std::span<const float> norm_a, std::span<const float> norm_b, float tau,
                    std::span<const std::uint32_t> ks, std::span<const ConstTile> a,
                    std::span<const ConstTile> b, Tile c);

}  // namespace tessera::codelets::spamm::cpu
