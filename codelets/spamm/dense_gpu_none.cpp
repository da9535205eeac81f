// Built without the CUDA toolkit: no dense GPU baseline.
#include <tessera/error.hpp>

#include <tessera/codelets/spamm/dense_gpu.hpp>

namespace tessera::codelets::spamm {

double dense_gpu_gemm(const float*, const float*, float*, std::size_t, Precision, int, int) {
  throw Error("the dense GPU baseline needs Tessera built with CUDA (this build has none)");
}

}  // namespace tessera::codelets::spamm
