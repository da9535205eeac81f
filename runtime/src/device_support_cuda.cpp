// Device support on the CUDA runtime, cuBLAS and cuSOLVER (host APIs: no device code here).

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <cstring>
#include <map>
#include <mutex>
#include <vector>

#include "device_support.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

void check(cudaError_t e, const std::string& what) {
  if (e != cudaSuccess)
    throw Error(what + ": " + cudaGetErrorName(e) + " (" + cudaGetErrorString(e) + ")");
}

// Device memory with a cache of freed blocks by size: tiles come in few sizes, and
// cudaMalloc/cudaFree synchronise the device.
class CudaNode final : public MemoryNode {
 public:
  CudaNode(int device, std::uint64_t limit) : device_(device) {
    check(cudaSetDevice(device), "cudaSetDevice(" + std::to_string(device) + ")");
    std::size_t free_bytes = 0, total = 0;
    check(cudaMemGetInfo(&free_bytes, &total), "cudaMemGetInfo");
    capacity_ =
        limit > 0 ? limit : static_cast<std::uint64_t>(static_cast<double>(free_bytes) * 0.85);
    check(cudaStreamCreateWithFlags(&copy_stream_, cudaStreamNonBlocking), "cudaStreamCreate");
    // Measure the host link once: estimates for the policies.
    const std::size_t probe = 32 << 20;
    void* d = nullptr;
    void* h = nullptr;
    check(cudaMalloc(&d, probe), "cudaMalloc");
    check(cudaMallocHost(&h, probe), "cudaMallocHost");
    cudaEvent_t a, b;
    cudaEventCreate(&a);
    cudaEventCreate(&b);
    cudaMemcpyAsync(d, h, probe, cudaMemcpyHostToDevice, copy_stream_);  // warm up
    cudaEventRecord(a, copy_stream_);
    cudaMemcpyAsync(d, h, probe, cudaMemcpyHostToDevice, copy_stream_);
    cudaEventRecord(b, copy_stream_);
    check(cudaEventSynchronize(b), "bandwidth probe");
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    bytes_per_us_ = ms > 0 ? static_cast<double>(probe) / (static_cast<double>(ms) * 1e3) : 10000.0;
    cudaEventDestroy(a);
    cudaEventDestroy(b);
    cudaFree(d);
    cudaFreeHost(h);
  }
  ~CudaNode() override {
    cudaSetDevice(device_);
    for (auto& [bytes, blocks] : cache_) {
      for (void* p : blocks) cudaFree(p);
    }
    cudaStreamDestroy(copy_stream_);
    if (staging_) cudaFreeHost(staging_);
  }
  std::string name() const override { return "cuda" + std::to_string(device_); }
  std::uint64_t capacity() const override { return capacity_; }
  void* allocate(std::size_t bytes) override {
    {
      std::lock_guard lock(mutex_);
      auto& blocks = cache_[bytes];
      if (!blocks.empty()) {
        void* p = blocks.back();
        blocks.pop_back();
        return p;
      }
    }
    check(cudaSetDevice(device_), "cudaSetDevice");
    void* p = nullptr;
    cudaError_t e = cudaMalloc(&p, bytes);
    if (e == cudaErrorMemoryAllocation) {
      cudaGetLastError();
      trim();  // give cached blocks of other sizes back, then retry
      e = cudaMalloc(&p, bytes);
    }
    check(e, name() + ": cudaMalloc(" + std::to_string(bytes) + ")");
    return p;
  }
  void release(void* ptr, std::size_t bytes) noexcept override {
    std::lock_guard lock(mutex_);
    cache_[bytes].push_back(ptr);
  }
  void copy_from_host(void* here, const void* host, const DataLayout& l) override {
    std::lock_guard lock(copy_mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    const std::size_t width = l.rows * l.elem_size;
    const cudaError_t e = cudaMemcpy2DAsync(here, width, host, l.ld * l.elem_size, width, l.cols,
                                            cudaMemcpyHostToDevice, copy_stream_);
    if (e == cudaErrorInvalidValue) {
      // CUDA refuses host ranges that are only partly page-locked (a small buffer sharing
      // pages with a pinned neighbour): go through the node's pinned staging buffer.
      cudaGetLastError();
      auto* staged = static_cast<char*>(staging(l.bytes()));
      for (std::size_t j = 0; j < l.cols; ++j) {
        std::memcpy(staged + j * width, static_cast<const char*>(host) + j * l.ld * l.elem_size,
                    width);
      }
      check(cudaMemcpyAsync(here, staged, l.bytes(), cudaMemcpyHostToDevice, copy_stream_),
            name() + ": copy to device (staged)");
    } else {
      check(e, name() + ": copy to device");
    }
    check(cudaStreamSynchronize(copy_stream_), name() + ": copy to device");
  }
  void copy_to_host(void* host, const DataLayout& l, const void* here) override {
    std::lock_guard lock(copy_mutex_);
    check(cudaSetDevice(device_), "cudaSetDevice");
    const std::size_t width = l.rows * l.elem_size;
    const cudaError_t e = cudaMemcpy2DAsync(host, l.ld * l.elem_size, here, width, width, l.cols,
                                            cudaMemcpyDeviceToHost, copy_stream_);
    if (e == cudaErrorInvalidValue) {
      cudaGetLastError();  // partly page-locked host range: staged, as in copy_from_host
      auto* staged = static_cast<char*>(staging(l.bytes()));
      check(cudaMemcpyAsync(staged, here, l.bytes(), cudaMemcpyDeviceToHost, copy_stream_),
            name() + ": copy to host (staged)");
      check(cudaStreamSynchronize(copy_stream_), name() + ": copy to host");
      for (std::size_t j = 0; j < l.cols; ++j) {
        std::memcpy(static_cast<char*>(host) + j * l.ld * l.elem_size, staged + j * width, width);
      }
      return;
    }
    check(e, name() + ": copy to host");
    check(cudaStreamSynchronize(copy_stream_), name() + ": copy to host");
  }
  bool pin(void* host, std::size_t bytes) override {
    // Pinned memory makes copies asynchronous and about twice as fast. Refusals are fine,
    // the usual one being a range inside memory pinned already (a tile of a pinned matrix).
    if (cudaHostRegister(host, bytes, cudaHostRegisterPortable) == cudaSuccess) return true;
    cudaGetLastError();
    return false;
  }
  void unpin(void* host) override {
    if (cudaHostUnregister(host) != cudaSuccess) cudaGetLastError();
  }
  LinkModel host_link() const override { return {8.0, 1.0 / bytes_per_us_, true}; }

 private:
  // The pinned staging buffer, at least `bytes` long (under copy_mutex_).
  void* staging(std::size_t bytes) {
    if (bytes > staging_bytes_) {
      if (staging_) cudaFreeHost(staging_);
      staging_ = nullptr;
      staging_bytes_ = 0;
      check(cudaMallocHost(&staging_, bytes),
            name() + ": cudaMallocHost(" + std::to_string(bytes) + ")");
      staging_bytes_ = bytes;
    }
    return staging_;
  }
  void trim() {
    std::lock_guard lock(mutex_);
    for (auto& [bytes, blocks] : cache_) {
      for (void* p : blocks) cudaFree(p);
      blocks.clear();
    }
  }

  int device_;
  std::uint64_t capacity_ = 0;
  double bytes_per_us_ = 10000.0;
  cudaStream_t copy_stream_ = nullptr;
  std::mutex mutex_;
  std::mutex copy_mutex_;
  void* staging_ = nullptr;
  std::size_t staging_bytes_ = 0;
  std::map<std::size_t, std::vector<void*>> cache_;
};

}  // namespace

bool cuda_built() {
  return true;
}

int cuda_device_count() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return n;
}

std::string cuda_device_name(int device) {
  cudaDeviceProp p{};
  if (cudaGetDeviceProperties(&p, device) != cudaSuccess) return "unknown";
  return p.name;
}

std::unique_ptr<MemoryNode> make_cuda_node(int device, std::uint64_t limit) {
  return std::make_unique<CudaNode>(device, limit);
}

CudaWorkerContext::CudaWorkerContext(int device) {
  context_.device = device;
  check(cudaSetDevice(device), "cudaSetDevice(" + std::to_string(device) + ")");
  cudaStream_t stream = nullptr;
  check(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), "cudaStreamCreate");
  context_.stream = stream;
  cublasHandle_t blas = nullptr;
  if (cublasCreate(&blas) != CUBLAS_STATUS_SUCCESS)
    throw Error("cublasCreate failed on device " + std::to_string(device));
  cublasSetStream(blas, stream);
  context_.cublas = blas;
  cusolverDnHandle_t solver = nullptr;
  if (cusolverDnCreate(&solver) != CUSOLVER_STATUS_SUCCESS) {
    throw Error("cusolverDnCreate failed on device " + std::to_string(device));
  }
  cusolverDnSetStream(solver, stream);
  context_.cusolver = solver;
  for (void*& e : events_) {
    cudaEvent_t event = nullptr;
    check(cudaEventCreate(&event), "cudaEventCreate");
    e = event;
  }
}

CudaWorkerContext::~CudaWorkerContext() {
  cudaSetDevice(context_.device);
  for (void* e : events_) {
    if (e) cudaEventDestroy(static_cast<cudaEvent_t>(e));
  }
  if (context_.cusolver) cusolverDnDestroy(static_cast<cusolverDnHandle_t>(context_.cusolver));
  if (context_.cublas) cublasDestroy(static_cast<cublasHandle_t>(context_.cublas));
  if (context_.stream) cudaStreamDestroy(static_cast<cudaStream_t>(context_.stream));
}

void CudaWorkerContext::make_current() const {
  check(cudaSetDevice(context_.device), "cudaSetDevice");
}

void CudaWorkerContext::synchronize() const {
  check(cudaStreamSynchronize(static_cast<cudaStream_t>(context_.stream)),
        "device " + std::to_string(context_.device) + ": kernel");
}

int CudaWorkerContext::mark_start() {
  const int ticket = next_ticket_;
  next_ticket_ = (next_ticket_ + 1) % kTickets;
  check(cudaEventRecord(static_cast<cudaEvent_t>(events_[2 * ticket]),
                        static_cast<cudaStream_t>(context_.stream)),
        "device " + std::to_string(context_.device) + ": cudaEventRecord");
  return ticket;
}

void CudaWorkerContext::mark_end(int ticket) {
  check(cudaEventRecord(static_cast<cudaEvent_t>(events_[2 * ticket + 1]),
                        static_cast<cudaStream_t>(context_.stream)),
        "device " + std::to_string(context_.device) + ": cudaEventRecord");
}

bool CudaWorkerContext::done(int ticket) const {
  return cudaEventQuery(static_cast<cudaEvent_t>(events_[2 * ticket + 1])) != cudaErrorNotReady;
}

double CudaWorkerContext::await(int ticket) {
  auto* end = static_cast<cudaEvent_t>(events_[2 * ticket + 1]);
  check(cudaEventSynchronize(end), "device " + std::to_string(context_.device) + ": kernel");
  float ms = 0;
  check(cudaEventElapsedTime(&ms, static_cast<cudaEvent_t>(events_[2 * ticket]), end),
        "device " + std::to_string(context_.device) + ": kernel timing");
  return static_cast<double>(ms) * 1e3;
}

}  // namespace tessera::detail
