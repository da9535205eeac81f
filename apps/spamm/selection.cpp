#include "spamm/selection.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include <tessera/error.hpp>

namespace tessera::spamm {
namespace {

double tile_norm(const float* m, std::size_t n, std::size_t i0, std::size_t j0, std::size_t tile) {
  double sum = 0.0;
  for (std::size_t j = j0; j < std::min(n, j0 + tile); ++j) {
    for (std::size_t i = i0; i < std::min(n, i0 + tile); ++i) {
      const double v = m[i + j * n];
      sum += v * v;
    }
  }
  return std::sqrt(sum);
}

}  // namespace

TileNorms host_norms(const float* a, const float* b, std::size_t n, std::size_t tile) {
  TileNorms norms((n + tile - 1) / tile);
  for (std::size_t i = 0; i < norms.tiles; ++i) {
    for (std::size_t k = 0; k < norms.tiles; ++k) {
      norms.a[i * norms.tiles + k] = static_cast<float>(tile_norm(a, n, i * tile, k * tile, tile));
      norms.b[i * norms.tiles + k] = static_cast<float>(tile_norm(b, n, k * tile, i * tile, tile));
    }
  }
  return norms;
}

std::uint64_t count_selected(const TileNorms& norms, float tau) {
  const std::size_t t = norms.tiles;
  std::uint64_t count = 0;
  for (std::size_t i = 0; i < t; ++i) {
    const float* row = &norms.a[i * t];
    for (std::size_t j = 0; j < t; ++j) {
      const float* col = &norms.b[j * t];
      for (std::size_t k = 0; k < t; ++k) count += row[k] * col[k] >= tau ? 1 : 0;
    }
  }
  return count;
}

std::vector<std::uint32_t> selected_k(const TileNorms& norms, std::size_t i, std::size_t j,
                                      float tau) {
  std::vector<std::uint32_t> ks;
  for (std::size_t k = 0; k < norms.tiles; ++k) {
    if (norms.selected(i, k, j, tau)) ks.push_back(static_cast<std::uint32_t>(k));
  }
  return ks;
}

float tau_for_valid_rate(const TileNorms& norms, double rate) {
  if (!(rate > 0.0 && rate <= 1.0)) {
    throw InvalidArgument("valid rate " + std::to_string(rate) + " is not in (0, 1]");
  }
  const auto target =
      static_cast<std::uint64_t>(std::ceil(rate * static_cast<double>(norms.total())));
  // Non-negative floats order like their bit patterns: bisect over the integers, keeping
  // count(lo) >= target > count(hi). tau = 0 computes everything; +inf nothing (norms are finite).
  std::uint32_t lo = 0, hi = std::bit_cast<std::uint32_t>(std::numeric_limits<float>::infinity());
  while (hi - lo > 1) {
    const std::uint32_t mid = lo + (hi - lo) / 2;
    if (count_selected(norms, std::bit_cast<float>(mid)) >= target) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return std::bit_cast<float>(lo);
}

ErrorBound skipped_bound(const TileNorms& norms, float tau) {
  const std::size_t t = norms.tiles;
  ErrorBound bound;
  double squares = 0.0;
  for (std::size_t i = 0; i < t; ++i) {
    for (std::size_t j = 0; j < t; ++j) {
      double tile_sum = 0.0;
      for (std::size_t k = 0; k < t; ++k) {
        if (!norms.selected(i, k, j, tau)) {
          tile_sum += static_cast<double>(norms.norm_a(i, k)) * norms.norm_b(k, j);
        }
      }
      bound.sum += tile_sum;
      squares += tile_sum * tile_sum;
    }
  }
  bound.frobenius = std::sqrt(squares);
  return bound;
}

}  // namespace tessera::spamm
