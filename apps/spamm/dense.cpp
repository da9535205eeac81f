#include "spamm/dense.hpp"

#include <cblas.h>

#include <chrono>
#include <cmath>

namespace tessera::spamm {
namespace {

using Clock = std::chrono::steady_clock;

template <class F>
double timed(int threads, F&& f) {
  openblas_set_num_threads(threads);
  const auto start = Clock::now();
  f();
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  openblas_set_num_threads(1);
  return s;
}

}  // namespace

double dense_sgemm(const float* a, const float* b, float* c, std::size_t n, int threads) {
  const int N = static_cast<int>(n);
  return timed(threads, [&] {
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, b, N, 0.0f, c, N);
  });
}

double dense_dgemm(const double* a, const double* b, double* c, std::size_t n, int threads) {
  const int N = static_cast<int>(n);
  return timed(threads, [&] {
    cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0, a, N, b, N, 0.0, c, N);
  });
}

std::vector<double> to_double(const std::vector<float>& m) {
  return std::vector<double>(m.begin(), m.end());
}

template <class R>
double relative_error(const float* c, const R* ref, std::size_t count) {
  double diff = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < count; ++i) {
    const double r = static_cast<double>(ref[i]);
    const double d = static_cast<double>(c[i]) - r;
    diff += d * d;
    norm += r * r;
  }
  return norm > 0.0 ? std::sqrt(diff / norm) : std::sqrt(diff);
}

template double relative_error<float>(const float*, const float*, std::size_t);
template double relative_error<double>(const float*, const double*, std::size_t);

}  // namespace tessera::spamm
