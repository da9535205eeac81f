// CPU kernels of SpAMM on OpenBLAS.

#include "spamm/spamm_kernels_cpu.hpp"

#include <cblas.h>

#include <cmath>
#include <stdexcept>
#include <string>

namespace tessera::codelets::spamm::cpu {

float frobenius_norm(ConstTile t) {
  double sum = 0.0;
  for (std::size_t j = 0; j < t.cols; ++j) {
    const float* col = t.data + j * t.ld;
    for (std::size_t i = 0; i < t.rows; ++i) sum += static_cast<double>(col[i]) * col[i];
  }
  return static_cast<float>(std::sqrt(sum));
}

namespace {

void zero(Tile c) {
  for (std::size_t j = 0; j < c.cols; ++j) {
    for (std::size_t i = 0; i < c.rows; ++i) c.data[i + j * c.ld] = 0.0f;
  }
}

int I(std::size_t v) {
  return static_cast<int>(v);
}

}  // namespace

std::size_t product(std::span<const float> norm_a, std::span<const float> norm_b, float tau,
                    std::span<const std::uint32_t> ks, std::span<const ConstTile> a,
                    std::span<const ConstTile> b, Tile c) {
  std::size_t computed = 0;
  for (std::size_t q = 0; q < ks.size(); ++q) {
    const std::uint32_t k = ks[q];
    if (k >= norm_a.size() || k >= norm_b.size()) {
      throw std::invalid_argument("spamm product: candidate k = " + std::to_string(k) +
                                  " is outside the norm vectors (" + std::to_string(norm_a.size()) +
                                  " entries)");
    }
    if (norm_a[k] * norm_b[k] < tau) continue;
    if (a[q].rows != c.rows || b[q].cols != c.cols || a[q].cols != b[q].rows) {
      throw std::invalid_argument("spamm product: tile shapes do not match for k = " +
                                  std::to_string(k));
    }
    // The first selected product overwrites C (beta = 0): C is write-only, never read.
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, I(c.rows), I(c.cols), I(a[q].cols), 1.0f,
                a[q].data, I(a[q].ld), b[q].data, I(b[q].ld), computed == 0 ? 0.0f : 1.0f, c.data,
                I(c.ld));
    ++computed;
  }
  if (computed == 0) zero(c);
  return computed;
}

}  // namespace tessera::codelets::spamm::cpu
