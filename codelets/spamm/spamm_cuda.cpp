// The SpAMM codelets' CUDA side: unpacks a task's buffers into kernel batches and launches
// them on the worker's stream (spamm_device.cu holds the kernels).

#include "spamm/spamm_cuda.hpp"

#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <tessera/task_context.hpp>

#include "spamm/spamm_device.hpp"

namespace tessera::codelets::spamm::cuda {
namespace {

using device::kMaxBatch;

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

void* stream_of(TaskContext& ctx) {
  const DeviceContext* d = ctx.device();
  if (d == nullptr) throw std::logic_error("a SpAMM CUDA kernel ran without a CUDA worker context");
  return d->stream;
}

int I(std::size_t v) {
  return static_cast<int>(v);
}

// Half-precision copies of a task's input tiles, freed in stream order.
class HalfScratch {
 public:
  HalfScratch(std::size_t elements, cudaStream_t stream) : stream_(stream) {
    check(cudaMallocAsync(&ptr_, std::max<std::size_t>(elements, 1) * 2, stream),
          "cudaMallocAsync");
  }
  ~HalfScratch() { cudaFreeAsync(ptr_, stream_); }
  HalfScratch(const HalfScratch&) = delete;
  HalfScratch& operator=(const HalfScratch&) = delete;
  // The address of element `offset` (elements are 2 bytes).
  void* at(std::size_t offset) const { return static_cast<char*>(ptr_) + 2 * offset; }

 private:
  cudaStream_t stream_;
  void* ptr_ = nullptr;
};

void run_norms(TaskContext& ctx) {
  void* stream = stream_of(ctx);
  float* out = ctx.vector<float>(0).data();
  const std::size_t tiles = ctx.num_buffers() - 1;
  for (std::size_t first = 0; first < tiles; first += kMaxBatch) {
    device::TileBatch batch{};
    batch.count = I(std::min<std::size_t>(kMaxBatch, tiles - first));
    for (int q = 0; q < batch.count; ++q) {
      const MatrixView<float> t = ctx.matrix<float>(1 + first + q);
      batch.data[q] = t.data;
      batch.rows[q] = I(t.rows);
      batch.cols[q] = I(t.cols);
      batch.ld[q] = I(t.ld);
    }
    device::launch_norms(batch, out + first, stream);
    device::check_launch("spamm tile norms");
  }
}

void run_product(TaskContext& ctx, Precision precision) {
  void* stream = stream_of(ctx);
  const float tau = ctx.arg<float>(0);
  const auto& ks = ctx.arg<std::vector<std::uint32_t>>(1);
  const std::span<float> norm_a = ctx.vector<float>(0), norm_b = ctx.vector<float>(1);
  const MatrixView<float> c = ctx.matrix<float>(2);
  if (ctx.num_buffers() != 3 + 2 * ks.size()) {
    throw std::invalid_argument("spamm product: " + std::to_string(ks.size()) +
                                " candidate k but " + std::to_string(ctx.num_buffers() - 3) +
                                " tile buffers (want two per candidate)");
  }
  for (std::uint32_t k : ks) {
    if (k >= norm_a.size() || k >= norm_b.size()) {
      throw std::invalid_argument("spamm product: candidate k = " + std::to_string(k) +
                                  " is outside the norm vectors");
    }
  }
  const std::size_t pairs = ks.size();
  std::vector<MatrixView<float>> a(pairs), b(pairs);
  std::size_t half_elements = 0;
  for (std::size_t q = 0; q < pairs; ++q) {
    a[q] = ctx.matrix<float>(3 + 2 * q);
    b[q] = ctx.matrix<float>(4 + 2 * q);
    if (a[q].rows != c.rows || b[q].cols != c.cols || a[q].cols != b[q].rows) {
      throw std::invalid_argument("spamm product: tile shapes do not match for k = " +
                                  std::to_string(ks[q]));
    }
    half_elements += a[q].rows * a[q].cols + b[q].rows * b[q].cols;
  }
  const bool fp16 = precision == Precision::fp16;
  if (fp16 && (c.rows % 16 != 0 || c.cols % 16 != 0 ||
               std::any_of(a.begin(), a.end(), [](auto& t) { return t.cols % 16 != 0; }))) {
    throw std::invalid_argument("spamm fp16 product: tile sides must be multiples of 16");
  }
  // The tensor-core kernel reads FP16 copies: every candidate is converted (the application
  // passes only the selected ones, so this costs one pass over the tiles it multiplies).
  std::optional<HalfScratch> scratch;
  std::vector<const void*> pa(pairs), pb(pairs);
  if (fp16) {
    scratch.emplace(half_elements, static_cast<cudaStream_t>(stream));
    std::size_t offset = 0;
    for (std::size_t q = 0; q < pairs; ++q) {
      pa[q] = scratch->at(offset);
      device::launch_to_half(a[q].data, I(a[q].rows), I(a[q].cols), I(a[q].ld), scratch->at(offset),
                             stream);
      offset += a[q].rows * a[q].cols;
      pb[q] = scratch->at(offset);
      device::launch_to_half(b[q].data, I(b[q].rows), I(b[q].cols), I(b[q].ld), scratch->at(offset),
                             stream);
      offset += b[q].rows * b[q].cols;
    }
    device::check_launch("spamm fp16 conversion");
  }
  device::ProductTarget target{norm_a.data(), norm_b.data(), tau,     c.data,
                               I(c.rows),     I(c.cols),     I(c.ld), false};
  std::size_t first = 0;
  do {  // at least one launch: with no candidate at all, C must still be zeroed
    device::PairBatch batch{};
    batch.count = I(std::min<std::size_t>(kMaxBatch, pairs - first));
    for (int q = 0; q < batch.count; ++q) {
      const std::size_t p = first + q;
      batch.k[q] = ks[p];
      batch.inner[q] = I(a[p].cols);
      if (fp16) {
        batch.a[q] = pa[p];
        batch.b[q] = pb[p];
        batch.lda[q] = I(a[p].rows);
        batch.ldb[q] = I(b[p].rows);
      } else {
        batch.a[q] = a[p].data;
        batch.b[q] = b[p].data;
        batch.lda[q] = I(a[p].ld);
        batch.ldb[q] = I(b[p].ld);
      }
    }
    target.accumulate = first > 0;
    if (fp16) {
      device::launch_product_fp16(batch, target, stream);
    } else {
      device::launch_product_fp32(batch, target, stream);
    }
    device::check_launch(fp16 ? "spamm fp16 product" : "spamm fp32 product");
    first += kMaxBatch;
  } while (first < pairs);
}

}  // namespace

tessera::Kernel norms_kernel() {
  return [](TaskContext& ctx) { run_norms(ctx); };
}

tessera::Kernel product_kernel(Precision precision) {
  return [precision](TaskContext& ctx) { run_product(ctx, precision); };
}

}  // namespace tessera::codelets::spamm::cuda
