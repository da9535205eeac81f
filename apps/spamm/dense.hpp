#pragma once
// The dense baselines of SpAMM's report: OpenBLAS sgemm and dgemm of the same matrices on a
// given number of threads, timed, and the relative error of an approximate product.

#include <cstddef>
#include <vector>

namespace tessera::spamm {

// C = A B with OpenBLAS on `threads` threads (restored to 1 afterwards, as the tile
// kernels want); returns the seconds it took.
double dense_sgemm(const float* a, const float* b, float* c, std::size_t n, int threads);
double dense_dgemm(const double* a, const double* b, double* c, std::size_t n, int threads);

std::vector<double> to_double(const std::vector<float>& m);

// ||c - ref||_F / ||ref||_F, accumulated in double.
template <class R>
double relative_error(const float* c, const R* ref, std::size_t count);

}  // namespace tessera::spamm
