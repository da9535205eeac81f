#pragma once
// CUDA implementations of the tile kernels (cuBLAS/cuSOLVER), internal to codelets/blas.
// In builds without CUDA, kernel() returns an empty Kernel for every name.

#include <string_view>

#include <tessera/codelet.hpp>

namespace tessera::codelets::blas::cuda {

bool available();
// The CUDA kernel of a tile operation, or an empty Kernel (QR's kernels, or no CUDA).
tessera::Kernel kernel(std::string_view name, bool double_precision);

}  // namespace tessera::codelets::blas::cuda
