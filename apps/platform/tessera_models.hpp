#pragma once
// A platform description of this machine built from Tessera's own calibrated performance
// models (the HistoryModel files that real runs of the tile codelets leave in the model
// directory): calibrate with real runs here, then simulate the same graphs, or bigger ones,
// with `tessera sim`.

#include <string>

#include <tessera/platform.hpp>

namespace tessera::tools {

struct ModelPlatformOptions {
  std::string model_dir;  // empty: HistoryModel::directory()
  int ncpu = 1;           // CPU workers of the platform
  char precision = 'd';   // which codelets' models: tessera_d* or tessera_s*
  int tile = 512;         // reference tile size of the platform's mean costs
  std::string name = "this-machine";
  // The codelet whose model gives the DAGs' "gemm" type: Cholesky's gemm_nt or LU's gemm_nn.
  std::string gemm = "gemm_nt";
};

// Task costs of the tile kernels (potrf, trsm, syrk, gemm (see `gemm`); getrf,
// trsm_ll, trsm_ru; geqrt, unmqr, tsqrt, tsmqr) from the models found, every measured size
// kept in by_size. Throws InvalidArgument if no model of the precision is found (naming
// the directory) or a model file is malformed.
Platform platform_from_models(const ModelPlatformOptions& options);

}  // namespace tessera::tools
