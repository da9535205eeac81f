#pragma once
// How a tile task of apps/dags becomes a runtime task: its codelet and its name. Shared by
// the one-node and the distributed drivers.

#include <string>

#include <dags/tile_kernels.hpp>
#include <tessera/codelets/blas/blas_codelets.hpp>

#include "linalg/factorization.hpp"

namespace tessera::linalg {

const Codelet& tile_codelet(const dags::TileKernel& kernel, Algorithm algorithm,
                            codelets::blas::Precision precision);
// "gemm(k,m,n)", with the unused loop indices (-1) left out.
std::string tile_task_name(const dags::TileKernel& kernel, int k, int m, int n);

}  // namespace tessera::linalg
