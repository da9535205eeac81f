#pragma once
// Launchers of SpAMM's CUDA kernels (internal to codelets/spamm). Plain C++ with no CUDA or
// Tessera type, so that spamm_device.cu compiles with nvcc alone and the codelet glue with
// the host compiler. Every launcher queues work on `stream` (a cudaStream_t) and returns.

#include <cstdint>

namespace tessera::codelets::spamm::device {

// Kernel parameters travel by value: a batch holds at most this many tiles or pairs, so
// that a launch stays far below CUDA's parameter limit. Longer lists take several launches.
constexpr int kMaxBatch = 64;

struct TileBatch {
  const float* data[kMaxBatch];
  int rows[kMaxBatch], cols[kMaxBatch], ld[kMaxBatch];
  int count;
};

// out[q] = ||tile q||_F for every tile of the batch (out is device memory).
void launch_norms(const TileBatch& batch, float* out, void* stream);

// One batch of candidate products for one tile of C (rows x cols, leading dimension ldc).
// a[q] is rows x inner[q] (leading dimension lda[q]), b[q] is inner[q] x cols (ldb[q]); the
// pointers are float* for the FP32 kernel and half* for the FP16 one.
struct PairBatch {
  const void* a[kMaxBatch];
  const void* b[kMaxBatch];
  int lda[kMaxBatch], ldb[kMaxBatch], inner[kMaxBatch];
  std::uint32_t k[kMaxBatch];  // index into the norm vectors
  int count;
};

struct ProductTarget {
  const float* norm_a;  // device
  const float* norm_b;  // device
  float tau;
  float* c;  // device
  int rows, cols, ldc;
  bool accumulate;  // false: C = sum (the first batch); true: C += sum
};

// FP32: 64 x 64 blocks of C, 16-deep slices of A and B through double-buffered shared memory.
void launch_product_fp32(const PairBatch& batch, const ProductTarget& target, void* stream);

// Converts a rows x cols FP32 tile (leading dimension ld) to a packed FP16 one (leading
// dimension rows), both in device memory.
void launch_to_half(const float* in, int rows, int cols, int ld, void* out_half, void* stream);

// FP16 inputs (packed, leading dimension = rows), FP32 accumulation on tensor cores (WMMA
// 16x16x16). Every side must be a multiple of 16.
void launch_product_fp16(const PairBatch& batch, const ProductTarget& target, void* stream);

// Throws std::runtime_error naming `what` if the last launch failed.
void check_launch(const char* what);

}  // namespace tessera::codelets::spamm::device
