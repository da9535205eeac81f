// CUDA tile kernels on cuBLAS and cuSOLVER, launched on the worker's stream.

#include "blas/tile_kernels_cuda.hpp"

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cusolverDn.h>

#include <stdexcept>
#include <string>

#include <tessera/task_context.hpp>

namespace tessera::codelets::blas::cuda {
namespace {

struct Tile {
  void* data;
  int rows, cols, ld;
};

template <class T>
Tile tile(TaskContext& ctx, std::size_t i) {
  const MatrixView<T> m = ctx.matrix<T>(i);
  return {m.data, static_cast<int>(m.rows), static_cast<int>(m.cols), static_cast<int>(m.ld)};
}

void check(cublasStatus_t s, const char* what) {
  if (s != CUBLAS_STATUS_SUCCESS)
    throw std::runtime_error(std::string(what) + ": cuBLAS status " + std::to_string(s));
}
void check(cusolverStatus_t s, const char* what) {
  if (s != CUSOLVER_STATUS_SUCCESS) {
    throw std::runtime_error(std::string(what) + ": cuSOLVER status " + std::to_string(s));
  }
}
void check(cudaError_t e, const char* what) {
  if (e != cudaSuccess) throw std::runtime_error(std::string(what) + ": " + cudaGetErrorString(e));
}

struct Handles {
  cudaStream_t stream;
  cublasHandle_t blas;
  cusolverDnHandle_t solver;
};

Handles handles(TaskContext& ctx) {
  const DeviceContext* d = ctx.device();
  if (d == nullptr || d->cublas == nullptr)
    throw std::logic_error("a CUDA tile kernel ran without a CUDA worker context");
  return {static_cast<cudaStream_t>(d->stream), static_cast<cublasHandle_t>(d->cublas),
          static_cast<cusolverDnHandle_t>(d->cusolver)};
}

// Device scratch for cuSOLVER, allocated on the stream (stream-ordered allocator: cheap).
class Workspace {
 public:
  Workspace(std::size_t bytes, cudaStream_t stream) : stream_(stream) {
    check(cudaMallocAsync(&ptr_, bytes + sizeof(int), stream), "cudaMallocAsync");
    info_ = reinterpret_cast<int*>(static_cast<char*>(ptr_) + bytes);
  }
  ~Workspace() { cudaFreeAsync(ptr_, stream_); }
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  void* data() const { return ptr_; }
  int* info() const { return info_; }
  // The factorisation's status word, after the stream drained.
  int read_info() const {
    int host = 0;
    check(cudaMemcpyAsync(&host, info_, sizeof(int), cudaMemcpyDeviceToHost, stream_), "read info");
    check(cudaStreamSynchronize(stream_), "factorisation");
    return host;
  }

 private:
  cudaStream_t stream_;
  void* ptr_ = nullptr;
  int* info_ = nullptr;
};

template <class T>
struct Cu;

template <>
struct Cu<double> {
  static constexpr auto trsm = cublasDtrsm;
  static constexpr auto syrk = cublasDsyrk;
  static constexpr auto gemm = cublasDgemm;
  static constexpr auto potrf_size = cusolverDnDpotrf_bufferSize;
  static constexpr auto potrf = cusolverDnDpotrf;
  static constexpr auto getrf_size = cusolverDnDgetrf_bufferSize;
  static constexpr auto getrf = cusolverDnDgetrf;
};

template <>
struct Cu<float> {
  static constexpr auto trsm = cublasStrsm;
  static constexpr auto syrk = cublasSsyrk;
  static constexpr auto gemm = cublasSgemm;
  static constexpr auto potrf_size = cusolverDnSpotrf_bufferSize;
  static constexpr auto potrf = cusolverDnSpotrf;
  static constexpr auto getrf_size = cusolverDnSgetrf_bufferSize;
  static constexpr auto getrf = cusolverDnSgetrf;
};

template <class T>
T* P(const Tile& t) {
  return static_cast<T*>(t.data);
}

template <class T>
tessera::Kernel make(std::string_view name) {
  static const T one = 1, minus_one = -1;
  if (name == "potrf") {
    return [](TaskContext& c) {
      const Handles h = handles(c);
      const Tile a = tile<T>(c, 0);
      int lwork = 0;
      check(Cu<T>::potrf_size(h.solver, CUBLAS_FILL_MODE_LOWER, a.rows, P<T>(a), a.ld, &lwork),
            "potrf_bufferSize");
      Workspace w(static_cast<std::size_t>(lwork) * sizeof(T), h.stream);
      check(Cu<T>::potrf(h.solver, CUBLAS_FILL_MODE_LOWER, a.rows, P<T>(a), a.ld,
                         static_cast<T*>(w.data()), lwork, w.info()),
            "potrf");
      if (const int info = w.read_info(); info > 0) {
        throw std::domain_error("the tile is not positive definite (its leading minor of order " +
                                std::to_string(info) + " is not positive)");
      }
    };
  }
  if (name == "getrf") {
    return [](TaskContext& c) {
      const Handles h = handles(c);
      const Tile a = tile<T>(c, 0);
      int lwork = 0;
      check(Cu<T>::getrf_size(h.solver, a.rows, a.cols, P<T>(a), a.ld, &lwork), "getrf_bufferSize");
      Workspace w(static_cast<std::size_t>(lwork) * sizeof(T), h.stream);
      // A null pivot array asks cuSOLVER for LU without pivoting.
      check(Cu<T>::getrf(h.solver, a.rows, a.cols, P<T>(a), a.ld, static_cast<T*>(w.data()),
                         nullptr, w.info()),
            "getrf");
      if (const int info = w.read_info(); info > 0) {
        throw std::domain_error("zero pivot at position " + std::to_string(info) +
                                " (LU without pivoting)");
      }
    };
  }
  if (name == "trsm") {
    return [](TaskContext& c) {
      const Handles h = handles(c);
      const Tile a = tile<T>(c, 0), b = tile<T>(c, 1);
      check(Cu<T>::trsm(h.blas, CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_T,
                        CUBLAS_DIAG_NON_UNIT, b.rows, b.cols, &one, P<T>(a), a.ld, P<T>(b), b.ld),
            "trsm");
    };
  }
  if (name == "syrk") {
    return [](TaskContext& c) {
      const Handles h = handles(c);
      const Tile a = tile<T>(c, 0), cc = tile<T>(c, 1);
      check(Cu<T>::syrk(h.blas, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, cc.rows, a.cols, &minus_one,
                        P<T>(a), a.ld, &one, P<T>(cc), cc.ld),
            "syrk");
    };
  }
  if (name == "gemm_nt" || name == "gemm_nn") {
    const cublasOperation_t tb = name == "gemm_nt" ? CUBLAS_OP_T : CUBLAS_OP_N;
    return [tb](TaskContext& c) {
      const Handles h = handles(c);
      const Tile a = tile<T>(c, 0), b = tile<T>(c, 1), cc = tile<T>(c, 2);
      check(Cu<T>::gemm(h.blas, CUBLAS_OP_N, tb, cc.rows, cc.cols, a.cols, &minus_one, P<T>(a),
                        a.ld, P<T>(b), b.ld, &one, P<T>(cc), cc.ld),
            "gemm");
    };
  }
  if (name == "trsm_ll") {
    return [](TaskContext& c) {
      const Handles h = handles(c);
      const Tile a = tile<T>(c, 0), b = tile<T>(c, 1);
      check(Cu<T>::trsm(h.blas, CUBLAS_SIDE_LEFT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N,
                        CUBLAS_DIAG_UNIT, b.rows, b.cols, &one, P<T>(a), a.ld, P<T>(b), b.ld),
            "trsm_ll");
    };
  }
  if (name == "trsm_ru") {
    return [](TaskContext& c) {
      const Handles h = handles(c);
      const Tile a = tile<T>(c, 0), b = tile<T>(c, 1);
      check(Cu<T>::trsm(h.blas, CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_UPPER, CUBLAS_OP_N,
                        CUBLAS_DIAG_NON_UNIT, b.rows, b.cols, &one, P<T>(a), a.ld, P<T>(b), b.ld),
            "trsm_ru");
    };
  }
  return {};  // QR's compact-WY kernels: CPU only
}

}  // namespace

bool available() {
  int n = 0;
  if (cudaGetDeviceCount(&n) != cudaSuccess) {
    cudaGetLastError();
    return false;
  }
  return n > 0;
}

tessera::Kernel kernel(std::string_view name, bool double_precision) {
  return double_precision ? make<double>(name) : make<float>(name);
}

}  // namespace tessera::codelets::blas::cuda
