// Built without the CUDA toolkit: no CUDA implementation.
#include "blas/tile_kernels_cuda.hpp"

namespace tessera::codelets::blas::cuda {

bool available() {
  return false;
}
tessera::Kernel kernel(std::string_view, bool) {
  return {};
}

}  // namespace tessera::codelets::blas::cuda
