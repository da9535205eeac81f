#pragma once
// CPU tile kernels on raw column-major tiles (internal to codelets/blas).

#include <cstddef>

namespace tessera::codelets::blas::cpu {

struct Tile {
  void* data;
  std::size_t rows, cols, ld;
};

template <class T> void potrf(Tile a);
template <class T> void trsm_cholesky(Tile akk, Tile amk);
template <class T> void syrk(Tile ank, Tile ann);
template <class T> void gemm_nt(Tile amk, Tile ank, Tile amn);
template <class T> void getrf_nopiv(Tile a);
template <class T> void trsm_ll(Tile akk, Tile akn);
template <class T> void trsm_ru(Tile akk, Tile amk);
template <class T> void gemm_nn(Tile amk, Tile akn, Tile amn);
template <class T> void geqrt(Tile a, Tile t);
template <class T> void unmqr(Tile akk, Tile tkk, Tile akn);
template <class T> void tsqrt(Tile akk, Tile amk, Tile tmk);
template <class T> void tsmqr(Tile akn, Tile amn, Tile amk, Tile tmk);

}  // namespace tessera::codelets::blas::cpu
