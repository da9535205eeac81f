#pragma once
// What the StarPU peers share: their StarPU configuration (CPU workers only, quiet, one
// OpenBLAS thread per worker), a StarPU matrix buffer seen as one of Tessera's CPU tiles,
// and a guard that keeps exceptions of the tile kernels from crossing StarPU's C code (a
// failed kernel is recorded, and the driver reports it after the run).

#include <starpu.h>

#include <atomic>
#include <cstdlib>

#include <tessera/codelets/blas/blas_codelets.hpp>
#include <tessera/codelets/blas/tile_kernels_cpu.hpp>

namespace tessera::peers {

inline std::atomic<bool> g_tile_failed{false};

// A configuration with `ncpu` CPU workers and no devices; the caller names the policy.
inline starpu_conf cpu_only_conf(int ncpu) {
  if (std::getenv("STARPU_SILENT") == nullptr) ::setenv("STARPU_SILENT", "1", 1);
  starpu_conf conf;
  starpu_conf_init(&conf);
  conf.ncpus = ncpu;
  conf.ncuda = 0;
  conf.nopencl = 0;
  codelets::blas::set_blas_threads(1);  // the runtime is the parallelism
  return conf;
}

inline codelets::blas::cpu::Tile starpu_tile(void* buffer) {
  return {reinterpret_cast<void*>(STARPU_MATRIX_GET_PTR(buffer)), STARPU_MATRIX_GET_NX(buffer),
          STARPU_MATRIX_GET_NY(buffer), STARPU_MATRIX_GET_LD(buffer)};
}

template <class F>
void guarded(F&& f) noexcept {
  try {
    f();
  } catch (...) {
    g_tile_failed = true;
  }
}

// The tile kernels as StarPU CPU functions (double precision): the read tiles first, the
// written one last, as in apps/dags.
namespace starpu_kernels {
namespace cpu = codelets::blas::cpu;
inline void potrf(void* b[], void*) {
  guarded([&] { cpu::potrf<double>(starpu_tile(b[0])); });
}
inline void trsm_cholesky(void* b[], void*) {
  guarded([&] { cpu::trsm_cholesky<double>(starpu_tile(b[0]), starpu_tile(b[1])); });
}
inline void syrk(void* b[], void*) {
  guarded([&] { cpu::syrk<double>(starpu_tile(b[0]), starpu_tile(b[1])); });
}
inline void gemm_nt(void* b[], void*) {
  guarded([&] { cpu::gemm_nt<double>(starpu_tile(b[0]), starpu_tile(b[1]), starpu_tile(b[2])); });
}
inline void getrf(void* b[], void*) {
  guarded([&] { cpu::getrf_nopiv<double>(starpu_tile(b[0])); });
}
inline void trsm_ll(void* b[], void*) {
  guarded([&] { cpu::trsm_ll<double>(starpu_tile(b[0]), starpu_tile(b[1])); });
}
inline void trsm_ru(void* b[], void*) {
  guarded([&] { cpu::trsm_ru<double>(starpu_tile(b[0]), starpu_tile(b[1])); });
}
inline void gemm_nn(void* b[], void*) {
  guarded([&] { cpu::gemm_nn<double>(starpu_tile(b[0]), starpu_tile(b[1]), starpu_tile(b[2])); });
}
}  // namespace starpu_kernels

}  // namespace tessera::peers
