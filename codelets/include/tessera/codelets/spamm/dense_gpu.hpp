#pragma once
// The dense GPU baseline of SpAMM's report: the whole product C = A B with cuBLAS on one
// GPU, the matrices already in device memory, as cuSpAMM compares against.

#include <cstddef>

#include <tessera/codelets/spamm/spamm_codelets.hpp>

namespace tessera::codelets::spamm {

// C = A B (n x n, column-major) on GPU `device`: cublasSgemm for fp32, or cublasGemmEx with
// FP16 inputs and FP32 accumulation (tensor cores) for fp16, A and B converted to half first
// (untimed). Runs `repeat` times and returns the best kernel time in seconds (CUDA events);
// C comes back to `c`. Throws Error in builds without CUDA or when the GPU fails.
double dense_gpu_gemm(const float* a, const float* b, float* c, std::size_t n, Precision precision,
                      int repeat, int device = 0);

}  // namespace tessera::codelets::spamm
