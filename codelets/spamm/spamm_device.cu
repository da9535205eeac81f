// SpAMM's CUDA kernels: tile norms, the FP32 product through shared memory, the FP16
// conversion and the tensor-core product. One C tile per task; inside, each thread block
// owns a 64 x 64 block of it and walks the selected k itself.

#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mma.h>

#include <stdexcept>
#include <string>

#include "spamm/spamm_device.hpp"

namespace tessera::codelets::spamm::device {
namespace {

constexpr int kBlock = 64;  // C rows and columns per thread block
constexpr int kSlice = 16;  // depth of the A and B slices staged in shared memory

cudaStream_t S(void* stream) {
  return static_cast<cudaStream_t>(stream);
}

__global__ void norms_kernel(const __grid_constant__ TileBatch batch, float* out) {
  const int q = blockIdx.x;
  const int rows = batch.rows[q], cols = batch.cols[q], ld = batch.ld[q];
  const float* t = batch.data[q];
  double sum = 0.0;
  const long long total = static_cast<long long>(rows) * cols;
  for (long long idx = threadIdx.x; idx < total; idx += blockDim.x) {
    const double v = t[(idx % rows) + (idx / rows) * ld];
    sum += v * v;
  }
  __shared__ double partial[256];
  partial[threadIdx.x] = sum;
  __syncthreads();
  for (int half = blockDim.x / 2; half > 0; half /= 2) {
    if (threadIdx.x < half) partial[threadIdx.x] += partial[threadIdx.x + half];
    __syncthreads();
  }
  if (threadIdx.x == 0) out[q] = static_cast<float>(sqrt(partial[0]));
}

// The indices q of the batch whose norm product reaches tau, in order: the same test, in
// the same FP32 arithmetic, as the CPU kernel, so both select the same products.
__device__ int compact_valid(const PairBatch& batch, const ProductTarget& target, int* valid) {
  __shared__ int count;
  if (threadIdx.x == 0 && threadIdx.y == 0) {
    int n = 0;
    for (int q = 0; q < batch.count; ++q) {
      const float product = __fmul_rn(target.norm_a[batch.k[q]], target.norm_b[batch.k[q]]);
      if (product >= target.tau) valid[n++] = q;
    }
    count = n;
  }
  __syncthreads();
  return count;
}

__global__ void __launch_bounds__(256)
    product_fp32_kernel(const __grid_constant__ PairBatch batch, const ProductTarget target) {
  __shared__ int valid[kMaxBatch];
  __shared__ float as[2][kSlice][kBlock];
  __shared__ float bs[2][kSlice][kBlock + 1];  // +1: the slice stores hit distinct banks
  const int tx = threadIdx.x, ty = threadIdx.y, t = ty * 16 + tx;
  const int i0 = blockIdx.x * kBlock, j0 = blockIdx.y * kBlock;
  const int nvalid = compact_valid(batch, target, valid);

  float acc[4][4] = {};
  float ra[4], rb[4];
  // Reads the slice [p0, p0 + 16) of valid pair v into registers, zero outside the tiles.
  auto load = [&](int v, int p0) {
    const int q = valid[v], inner = batch.inner[q];
    const float* a = static_cast<const float*>(batch.a[q]);
    const float* b = static_cast<const float*>(batch.b[q]);
    for (int r = 0; r < 4; ++r) {
      const int idx = t + r * 256;
      const int row = i0 + (idx & 63), pa = p0 + (idx >> 6);
      ra[r] = row < target.rows && pa < inner ? a[row + static_cast<long long>(pa) * batch.lda[q]]
                                              : 0.f;
      const int pb = p0 + (idx & 15), col = j0 + (idx >> 4);
      rb[r] = pb < inner && col < target.cols ? b[pb + static_cast<long long>(col) * batch.ldb[q]]
                                              : 0.f;
    }
  };
  auto store = [&](int buf) {
    for (int r = 0; r < 4; ++r) {
      const int idx = t + r * 256;
      as[buf][idx >> 6][idx & 63] = ra[r];
      bs[buf][idx & 15][idx >> 4] = rb[r];
    }
  };

  if (nvalid > 0) {
    int v = 0, p0 = 0, buf = 0;
    load(v, p0);
    store(buf);
    __syncthreads();
    for (;;) {
      // Fetch the next slice (of this pair, or the first of the next one) while computing.
      int nv = v, np0 = p0 + kSlice;
      if (np0 >= batch.inner[valid[v]]) {
        nv = v + 1;
        np0 = 0;
      }
      const bool more = nv < nvalid;
      if (more) load(nv, np0);
#pragma unroll
      for (int p = 0; p < kSlice; ++p) {
        float x[4], y[4];
        for (int r = 0; r < 4; ++r) x[r] = as[buf][p][tx + 16 * r];
        for (int c = 0; c < 4; ++c) y[c] = bs[buf][p][ty + 16 * c];
        for (int r = 0; r < 4; ++r)
          for (int c = 0; c < 4; ++c) acc[r][c] = fmaf(x[r], y[c], acc[r][c]);
      }
      // One barrier per slice: the other buffer was last read before the previous one.
      if (more) store(buf ^ 1);
      __syncthreads();
      if (!more) break;
      buf ^= 1;
      v = nv;
      p0 = np0;
    }
  }
  for (int c = 0; c < 4; ++c) {
    const int col = j0 + ty + 16 * c;
    if (col >= target.cols) continue;
    for (int r = 0; r < 4; ++r) {
      const int row = i0 + tx + 16 * r;
      if (row >= target.rows) continue;
      float* out = target.c + row + static_cast<long long>(col) * target.ldc;
      *out = (target.accumulate ? *out : 0.f) + acc[r][c];
    }
  }
}

__global__ void to_half_kernel(const float* in, int rows, int cols, int ld, __half* out) {
  const long long total = static_cast<long long>(rows) * cols;
  for (long long idx = blockIdx.x * static_cast<long long>(blockDim.x) + threadIdx.x; idx < total;
       idx += static_cast<long long>(gridDim.x) * blockDim.x) {
    out[idx] = __float2half_rn(in[(idx % rows) + (idx / rows) * ld]);
  }
}

// Four warps per 64 x 64 block of C, each a 32 x 32 quarter as 2 x 2 WMMA accumulators;
// fragments come straight from global memory (L1/L2 serve the reuse between warps).
__global__ void __launch_bounds__(128)
    product_fp16_kernel(const __grid_constant__ PairBatch batch, const ProductTarget target) {
  using namespace nvcuda;
  __shared__ int valid[kMaxBatch];
  const int nvalid = compact_valid(batch, target, valid);
  const int warp = threadIdx.x / 32;
  const int wi = blockIdx.x * kBlock + (warp % 2) * 32, wj = blockIdx.y * kBlock + (warp / 2) * 32;

  wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[2][2];
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) {
      const int row = wi + 16 * r, col = wj + 16 * c;
      if (target.accumulate && row < target.rows && col < target.cols) {
        wmma::load_matrix_sync(acc[r][c], target.c + row + static_cast<long long>(col) * target.ldc,
                               target.ldc, wmma::mem_col_major);
      } else {
        wmma::fill_fragment(acc[r][c], 0.f);
      }
    }
  }
  for (int v = 0; v < nvalid; ++v) {
    const int q = valid[v];
    const __half* a = static_cast<const __half*>(batch.a[q]);
    const __half* b = static_cast<const __half*>(batch.b[q]);
    for (int p = 0; p < batch.inner[q]; p += 16) {
      wmma::fragment<wmma::matrix_a, 16, 16, 16, __half, wmma::col_major> fa[2];
      wmma::fragment<wmma::matrix_b, 16, 16, 16, __half, wmma::col_major> fb[2];
      for (int r = 0; r < 2; ++r) {
        if (wi + 16 * r < target.rows) {
          wmma::load_matrix_sync(fa[r], a + wi + 16 * r + static_cast<long long>(p) * batch.lda[q],
                                 batch.lda[q]);
        }
      }
      for (int c = 0; c < 2; ++c) {
        if (wj + 16 * c < target.cols) {
          wmma::load_matrix_sync(fb[c], b + p + static_cast<long long>(wj + 16 * c) * batch.ldb[q],
                                 batch.ldb[q]);
        }
      }
      for (int r = 0; r < 2; ++r) {
        for (int c = 0; c < 2; ++c) {
          if (wi + 16 * r < target.rows && wj + 16 * c < target.cols) {
            wmma::mma_sync(acc[r][c], fa[r], fb[c], acc[r][c]);
          }
        }
      }
    }
  }
  for (int r = 0; r < 2; ++r) {
    for (int c = 0; c < 2; ++c) {
      const int row = wi + 16 * r, col = wj + 16 * c;
      if (row < target.rows && col < target.cols) {
        wmma::store_matrix_sync(target.c + row + static_cast<long long>(col) * target.ldc,
                                acc[r][c], target.ldc, wmma::mem_col_major);
      }
    }
  }
}

dim3 grid_of(const ProductTarget& target) {
  return dim3((target.rows + kBlock - 1) / kBlock, (target.cols + kBlock - 1) / kBlock);
}

}  // namespace

void launch_norms(const TileBatch& batch, float* out, void* stream) {
  if (batch.count == 0) return;
  norms_kernel<<<batch.count, 256, 0, S(stream)>>>(batch, out);
}

void launch_product_fp32(const PairBatch& batch, const ProductTarget& target, void* stream) {
  product_fp32_kernel<<<grid_of(target), dim3(16, 16), 0, S(stream)>>>(batch, target);
}

void launch_to_half(const float* in, int rows, int cols, int ld, void* out_half, void* stream) {
  const long long total = static_cast<long long>(rows) * cols;
  const int blocks = static_cast<int>((total + 255) / 256 < 1024 ? (total + 255) / 256 : 1024);
  to_half_kernel<<<blocks, 256, 0, S(stream)>>>(in, rows, cols, ld, static_cast<__half*>(out_half));
}

void launch_product_fp16(const PairBatch& batch, const ProductTarget& target, void* stream) {
  product_fp16_kernel<<<grid_of(target), 128, 0, S(stream)>>>(batch, target);
}

void check_launch(const char* what) {
  const cudaError_t e = cudaGetLastError();
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

}  // namespace tessera::codelets::spamm::device
