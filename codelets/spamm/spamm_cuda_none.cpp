// Built without the CUDA toolkit: the SpAMM codelets have CPU implementations only.
#include "spamm/spamm_cuda.hpp"

namespace tessera::codelets::spamm::cuda {

tessera::Kernel norms_kernel() {
  return {};
}
tessera::Kernel product_kernel(Precision) {
  return {};
}

}  // namespace tessera::codelets::spamm::cuda
