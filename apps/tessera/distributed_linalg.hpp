#pragma once
// `tessera cholesky|lu --grid PxQ`: the factorization over the ranks of an MPI job
// (cmd_linalg_mpi.cpp; cmd_linalg_no_mpi.cpp where Tessera was built without MPI).

#include <string>

#include <linalg/factorization.hpp>

#include "tessera/runtime_options.hpp"

namespace tessera::cli {

// Returns the process exit status: 0 when the run (and its residual check) succeeded.
int run_distributed_factorization(const std::string& command, const RuntimeOptions& runtime,
                                  const linalg::FactorizationOptions& options,
                                  const std::string& grid);

}  // namespace tessera::cli
