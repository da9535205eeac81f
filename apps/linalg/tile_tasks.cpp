#include "linalg/tile_tasks.hpp"

namespace tessera::linalg {

const Codelet& tile_codelet(const dags::TileKernel& kernel, Algorithm algorithm,
                            codelets::blas::Precision precision) {
  std::string name(kernel.type);
  // The DAGs have one "gemm"; Cholesky's update multiplies by a transpose, LU's does not.
  if (name == "gemm") name = algorithm == Algorithm::lu ? "gemm_nn" : "gemm_nt";
  return codelets::blas::kernel(name, precision);
}

std::string tile_task_name(const dags::TileKernel& kernel, int k, int m, int n) {
  std::string label = std::string(kernel.type) + "(" + std::to_string(k);
  if (m >= 0) label += "," + std::to_string(m);
  if (n >= 0) label += "," + std::to_string(n);
  return label + ")";
}

}  // namespace tessera::linalg
