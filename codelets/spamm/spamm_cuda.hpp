#pragma once
// CUDA implementations of the SpAMM codelets (internal to codelets/spamm). In builds without
// CUDA every function returns an empty Kernel. (Whether a GPU is there: the tile kernels'
// codelets::blas::cuda::available().)

#include <tessera/codelet.hpp>

#include <tessera/codelets/spamm/spamm_codelets.hpp>

namespace tessera::codelets::spamm::cuda {

tessera::Kernel norms_kernel();
tessera::Kernel product_kernel(Precision precision);

}  // namespace tessera::codelets::spamm::cuda
