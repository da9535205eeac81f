#pragma once
// What a CUDA kernel of a codelet receives through TaskContext::device(): the worker's
// stream and library handles, as untyped pointers so this header needs no CUDA header.
// Cast them to cudaStream_t, cublasHandle_t and cusolverDnHandle_t in CUDA code.

namespace tessera {

struct DeviceContext {
  int device = -1;           // CUDA device ordinal
  void* stream = nullptr;    // cudaStream_t: launch everything on it; the runtime waits for it
  void* cublas = nullptr;    // cublasHandle_t bound to the stream
  void* cusolver = nullptr;  // cusolverDnHandle_t bound to the stream
};

}  // namespace tessera
