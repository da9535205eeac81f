// bench/gpu: cuSOLVER's dense one-call factorizations (cusolverDnDpotrf, cusolverDnDgetrf)
// on the same generated matrix as `tessera cholesky|lu`: the baseline of the GPU benchmark.
// Reports GFLOP/s of the factorization alone (CUDA events, matrix already on the device) and
// end to end (pinned host matrix copied in, factorized, copied back), best of --repeat runs.
//
//   build/bin/tessera-bench-cusolver --algorithm cholesky|lu --n N [--repeat 3] [--pivot]

#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include <linalg/factorization.hpp>

namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}
void check(cusolverStatus_t s, const char* what) {
  if (s != CUSOLVER_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": cuSOLVER status " + std::to_string(s));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"cuSOLVER dense Cholesky / LU baseline"};
  std::string algorithm = "cholesky";
  std::size_t n = 8192;
  int repeat = 3;
  bool pivot = false;
  app.add_option("--algorithm", algorithm, "cholesky or lu")
      ->check(CLI::IsMember({"cholesky", "lu"}));
  app.add_option("--n", n, "matrix order")->check(CLI::PositiveNumber);
  app.add_option("--repeat", repeat, "timed runs (after one warm-up)")->check(CLI::PositiveNumber);
  app.add_flag("--pivot", pivot, "LU with partial pivoting (default: none, as Tessera's tiled LU)");
  CLI11_PARSE(app, argc, argv);
  try {
    tessera::linalg::FactorizationOptions o;
    o.algorithm = tessera::linalg::parse_algorithm(algorithm);
    o.n = n;
    const std::vector<double> input = tessera::linalg::generate_input<double>(o);
    const std::size_t bytes = n * n * sizeof(double);
    double* host = nullptr;
    check(cudaMallocHost(&host, bytes), "cudaMallocHost");
    std::copy(input.begin(), input.end(), host);
    double* a = nullptr;
    int* info = nullptr;
    int* ipiv = nullptr;
    check(cudaMalloc(&a, bytes), "cudaMalloc(matrix)");
    check(cudaMalloc(&info, sizeof(int)), "cudaMalloc(info)");
    if (pivot) check(cudaMalloc(&ipiv, n * sizeof(int)), "cudaMalloc(ipiv)");
    cusolverDnHandle_t solver;
    check(cusolverDnCreate(&solver), "cusolverDnCreate");
    const int N = static_cast<int>(n);
    int lwork = 0;
    if (o.algorithm == tessera::linalg::Algorithm::cholesky) {
      check(cusolverDnDpotrf_bufferSize(solver, CUBLAS_FILL_MODE_LOWER, N, a, N, &lwork),
            "potrf_bufferSize");
    } else {
      check(cusolverDnDgetrf_bufferSize(solver, N, N, a, N, &lwork), "getrf_bufferSize");
    }
    double* work = nullptr;
    check(cudaMalloc(&work, static_cast<std::size_t>(lwork) * sizeof(double)), "cudaMalloc(work)");
    cudaEvent_t start, stop;
    cudaEventCreate(&start);
    cudaEventCreate(&stop);
    const double flops = tessera::linalg::flop_count(o.algorithm, static_cast<double>(n));
    double* factor = nullptr;
    check(cudaMallocHost(&factor, bytes), "cudaMallocHost");
    double best_kernel = 0, best_total = 0;
    for (int r = 0; r <= repeat; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      check(cudaMemcpy(a, host, bytes, cudaMemcpyHostToDevice), "copy in");
      cudaEventRecord(start);
      if (o.algorithm == tessera::linalg::Algorithm::cholesky) {
        check(cusolverDnDpotrf(solver, CUBLAS_FILL_MODE_LOWER, N, a, N, work, lwork, info),
              "potrf");
      } else {
        check(cusolverDnDgetrf(solver, N, N, a, N, work, ipiv, info), "getrf");
      }
      cudaEventRecord(stop);
      check(cudaEventSynchronize(stop), "factorization");
      check(cudaMemcpy(factor, a, bytes, cudaMemcpyDeviceToHost), "copy out");
      const double total =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      float ms = 0;
      cudaEventElapsedTime(&ms, start, stop);
      int h_info = 0;
      cudaMemcpy(&h_info, info, sizeof(int), cudaMemcpyDeviceToHost);
      if (h_info != 0) throw std::runtime_error("factorization info = " + std::to_string(h_info));
      if (r == 0) continue;  // warm-up
      best_kernel = std::max(best_kernel, flops / (ms * 1e-3) / 1e9);
      best_total = std::max(best_total, flops / total / 1e9);
    }
    std::printf(
        "cusolver %s n=%zu%s: %.1f GFLOP/s factorization only, %.1f GFLOP/s with transfers (best "
        "of %d)\n",
        algorithm.c_str(), n, pivot ? " (partial pivoting)" : "", best_kernel, best_total, repeat);
    cusolverDnDestroy(solver);
    cudaFree(work);
    cudaFree(ipiv);
    cudaFree(info);
    cudaFree(a);
    cudaFreeHost(host);
    cudaFreeHost(factor);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera-bench-cusolver: %s\n", e.what());
    return 1;
  }
  return 0;
}
