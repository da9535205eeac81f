// cuBLAS sgemm / GemmEx (FP16 in, FP32 accumulate) on the whole matrices.

#include <tessera/codelets/spamm/dense_gpu.hpp>

#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <algorithm>
#include <optional>
#include <string>

#include <tessera/error.hpp>

#include "spamm/spamm_device.hpp"

namespace tessera::codelets::spamm {
namespace {

void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess)
    throw Error(std::string("dense GPU baseline: ") + what + ": " + cudaGetErrorString(e));
}
void check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS) {
    throw Error(std::string("dense GPU baseline: ") + what + ": cuBLAS status " +
                std::to_string(s));
  }
}

class DeviceBuffer {
 public:
  explicit DeviceBuffer(std::size_t bytes) { check(cudaMalloc(&ptr_, bytes), "cudaMalloc"); }
  ~DeviceBuffer() { cudaFree(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  void* get() const { return ptr_; }

 private:
  void* ptr_ = nullptr;
};

class Blas {
 public:
  Blas() { check(cublasCreate(&h_), "cublasCreate"); }
  ~Blas() { cublasDestroy(h_); }
  Blas(const Blas&) = delete;
  Blas& operator=(const Blas&) = delete;
  cublasHandle_t get() const { return h_; }

 private:
  cublasHandle_t h_ = nullptr;
};

class Event {
 public:
  Event() { check(cudaEventCreate(&e_), "cudaEventCreate"); }
  ~Event() { cudaEventDestroy(e_); }
  Event(const Event&) = delete;
  Event& operator=(const Event&) = delete;
  cudaEvent_t get() const { return e_; }

 private:
  cudaEvent_t e_ = nullptr;
};

}  // namespace

double dense_gpu_gemm(const float* a, const float* b, float* c, std::size_t n, Precision precision,
                      int repeat, int device) {
  check(cudaSetDevice(device), "cudaSetDevice");
  const std::size_t elems = n * n, bytes = elems * sizeof(float);
  const int N = static_cast<int>(n);
  DeviceBuffer da(bytes), db(bytes), dc(bytes);
  check(cudaMemcpy(da.get(), a, bytes, cudaMemcpyHostToDevice), "copy A");
  check(cudaMemcpy(db.get(), b, bytes, cudaMemcpyHostToDevice), "copy B");
  Blas blas;
  const float one = 1.0f, zero = 0.0f;
  const bool fp16 = precision == Precision::fp16;
  std::optional<DeviceBuffer> ha, hb;
  if (fp16) {
    ha.emplace(elems * 2);
    hb.emplace(elems * 2);
    device::launch_to_half(static_cast<const float*>(da.get()), N, N, N, ha->get(), nullptr);
    device::launch_to_half(static_cast<const float*>(db.get()), N, N, N, hb->get(), nullptr);
    device::check_launch("FP16 conversion");
  }
  Event start, stop;
  double best = 0.0;
  for (int r = 0; r < std::max(1, repeat); ++r) {
    check(cudaEventRecord(start.get()), "cudaEventRecord");
    if (fp16) {
      check(cublasGemmEx(blas.get(), CUBLAS_OP_N, CUBLAS_OP_N, N, N, N, &one, ha->get(), CUDA_R_16F,
                         N, hb->get(), CUDA_R_16F, N, &zero, dc.get(), CUDA_R_32F, N,
                         CUBLAS_COMPUTE_32F, CUBLAS_GEMM_DEFAULT),
            "cublasGemmEx");
    } else {
      check(cublasSgemm(blas.get(), CUBLAS_OP_N, CUBLAS_OP_N, N, N, N, &one,
                        static_cast<const float*>(da.get()), N, static_cast<const float*>(db.get()),
                        N, &zero, static_cast<float*>(dc.get()), N),
            "cublasSgemm");
    }
    check(cudaEventRecord(stop.get()), "cudaEventRecord");
    check(cudaEventSynchronize(stop.get()), "gemm");
    float ms = 0.0f;
    check(cudaEventElapsedTime(&ms, start.get(), stop.get()), "cudaEventElapsedTime");
    best = r == 0 ? ms / 1e3 : std::min(best, ms / 1e3);
  }
  check(cudaMemcpy(c, dc.get(), bytes, cudaMemcpyDeviceToHost), "copy C");
  return best;
}

}  // namespace tessera::codelets::spamm
