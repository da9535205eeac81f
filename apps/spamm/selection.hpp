#pragma once
// Which tile products SpAMM computes: the tile norms of A and B, the count of the products
// (i, k, j) with ||A_ik|| ||B_kj|| >= tau, the tau that computes a given fraction of them
// (cuSpAMM's "valid rate"), and the a-priori bound on the error of skipping the others.

#include <cstddef>
#include <cstdint>
#include <vector>

namespace tessera::spamm {

// Norms laid out as the runtime's norm vectors: row i of A's tiles, column j of B's.
struct TileNorms {
  std::size_t tiles = 0;  // per side
  std::vector<float> a;   // a[i * tiles + k] = ||A_ik||_F
  std::vector<float> b;   // b[j * tiles + k] = ||B_kj||_F

  explicit TileNorms(std::size_t t = 0) : tiles(t), a(t * t), b(t * t) {}
  float norm_a(std::size_t i, std::size_t k) const { return a[i * tiles + k]; }
  float norm_b(std::size_t k, std::size_t j) const { return b[j * tiles + k]; }
  // The product test of the codelets, in the same FP32 arithmetic.
  bool selected(std::size_t i, std::size_t k, std::size_t j, float tau) const {
    return norm_a(i, k) * norm_b(k, j) >= tau;
  }
  std::uint64_t total() const { return static_cast<std::uint64_t>(tiles) * tiles * tiles; }
};

// Norms of the tiles of column-major n x n matrices, computed on the host (tests, simulator).
TileNorms host_norms(const float* a, const float* b, std::size_t n, std::size_t tile);

std::uint64_t count_selected(const TileNorms& norms, float tau);
// For one tile of C: the selected k, in increasing order.
std::vector<std::uint32_t> selected_k(const TileNorms& norms, std::size_t i, std::size_t j,
                                      float tau);

// The largest tau that computes at least `rate` of the products (0 < rate <= 1), found by
// bisection over FP32 values: one more ulp would compute fewer. With ties between norm
// products the achieved rate may exceed `rate` by the tied products.
float tau_for_valid_rate(const TileNorms& norms, double rate);

// Bounds on ||C_spamm - A B||_F from the skipped products: `sum` is the sum over every
// skipped (i, k, j) of ||A_ik|| ||B_kj||; `frobenius` is sqrt(sum over C tiles (i, j) of the
// square of that tile's skipped sum), never larger.
struct ErrorBound {
  double sum = 0.0;
  double frobenius = 0.0;
};
ErrorBound skipped_bound(const TileNorms& norms, float tau);

}  // namespace tessera::spamm
