#pragma once
// What the StarPU peers share: a StarPU matrix buffer seen as one of Tessera's CPU tiles, and
// a guard that keeps exceptions of the tile kernels from crossing StarPU's C code (a failed
// kernel is recorded, and the driver reports it after the run).

#include <starpu.h>

#include <atomic>

#include <tessera/codelets/blas/tile_kernels_cpu.hpp>

namespace tessera::peers {

inline std::atomic<bool> g_tile_failed{false};

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

}  // namespace tessera::peers
