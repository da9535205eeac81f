// CPU tile kernels on OpenBLAS (CBLAS) and LAPACKE, for double and float.

#include <tessera/codelets/blas/tile_kernels_cpu.hpp>

#include <cblas.h>
#include <lapacke.h>

#include <algorithm>
#include <stdexcept>
#include <string>

namespace tessera::codelets::blas::cpu {
namespace {

template <class T>
struct Blas;

template <>
struct Blas<double> {
  static void trsm(CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                   double alpha, const double* a, int lda, double* b, int ldb) {
    cblas_dtrsm(CblasColMajor, s, u, t, d, m, n, alpha, a, lda, b, ldb);
  }
  static void syrk(int n, int k, double alpha, const double* a, int lda, double beta, double* c,
                   int ldc) {
    cblas_dsyrk(CblasColMajor, CblasLower, CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc);
  }
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, double alpha,
                   const double* a, int lda, const double* b, int ldb, double beta, double* c,
                   int ldc) {
    cblas_dgemm(CblasColMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  static void scal(int n, double alpha, double* x) { cblas_dscal(n, alpha, x, 1); }
  static void ger(int m, int n, double alpha, const double* x, const double* y, int incy, double* a,
                  int lda) {
    cblas_dger(CblasColMajor, m, n, alpha, x, 1, y, incy, a, lda);
  }
  static int potrf(int n, double* a, int lda) {
    return LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', n, a, lda);
  }
  static int geqrt(int m, int n, int nb, double* a, int lda, double* t, int ldt) {
    return LAPACKE_dgeqrt(LAPACK_COL_MAJOR, m, n, nb, a, lda, t, ldt);
  }
  static int gemqrt(int m, int n, int k, int nb, const double* v, int ldv, const double* t, int ldt,
                    double* c, int ldc) {
    return LAPACKE_dgemqrt(LAPACK_COL_MAJOR, 'L', 'T', m, n, k, nb, v, ldv, t, ldt, c, ldc);
  }
  static int tpqrt(int m, int n, int nb, double* a, int lda, double* b, int ldb, double* t,
                   int ldt) {
    return LAPACKE_dtpqrt(LAPACK_COL_MAJOR, m, n, 0, nb, a, lda, b, ldb, t, ldt);
  }
  static int tpmqrt(int m, int n, int k, int nb, const double* v, int ldv, const double* t, int ldt,
                    double* a, int lda, double* b, int ldb) {
    return LAPACKE_dtpmqrt(LAPACK_COL_MAJOR, 'L', 'T', m, n, k, 0, nb, v, ldv, t, ldt, a, lda, b,
                           ldb);
  }
};

template <>
struct Blas<float> {
  static void trsm(CBLAS_SIDE s, CBLAS_UPLO u, CBLAS_TRANSPOSE t, CBLAS_DIAG d, int m, int n,
                   float alpha, const float* a, int lda, float* b, int ldb) {
    cblas_strsm(CblasColMajor, s, u, t, d, m, n, alpha, a, lda, b, ldb);
  }
  static void syrk(int n, int k, float alpha, const float* a, int lda, float beta, float* c,
                   int ldc) {
    cblas_ssyrk(CblasColMajor, CblasLower, CblasNoTrans, n, k, alpha, a, lda, beta, c, ldc);
  }
  static void gemm(CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, int m, int n, int k, float alpha,
                   const float* a, int lda, const float* b, int ldb, float beta, float* c,
                   int ldc) {
    cblas_sgemm(CblasColMajor, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
  }
  static void scal(int n, float alpha, float* x) { cblas_sscal(n, alpha, x, 1); }
  static void ger(int m, int n, float alpha, const float* x, const float* y, int incy, float* a,
                  int lda) {
    cblas_sger(CblasColMajor, m, n, alpha, x, 1, y, incy, a, lda);
  }
  static int potrf(int n, float* a, int lda) {
    return LAPACKE_spotrf(LAPACK_COL_MAJOR, 'L', n, a, lda);
  }
  static int geqrt(int m, int n, int nb, float* a, int lda, float* t, int ldt) {
    return LAPACKE_sgeqrt(LAPACK_COL_MAJOR, m, n, nb, a, lda, t, ldt);
  }
  static int gemqrt(int m, int n, int k, int nb, const float* v, int ldv, const float* t, int ldt,
                    float* c, int ldc) {
    return LAPACKE_sgemqrt(LAPACK_COL_MAJOR, 'L', 'T', m, n, k, nb, v, ldv, t, ldt, c, ldc);
  }
  static int tpqrt(int m, int n, int nb, float* a, int lda, float* b, int ldb, float* t, int ldt) {
    return LAPACKE_stpqrt(LAPACK_COL_MAJOR, m, n, 0, nb, a, lda, b, ldb, t, ldt);
  }
  static int tpmqrt(int m, int n, int k, int nb, const float* v, int ldv, const float* t, int ldt,
                    float* a, int lda, float* b, int ldb) {
    return LAPACKE_stpmqrt(LAPACK_COL_MAJOR, 'L', 'T', m, n, k, 0, nb, v, ldv, t, ldt, a, lda, b,
                           ldb);
  }
};

int I(std::size_t v) {
  return static_cast<int>(v);
}
template <class T>
T* P(const Tile& t) {
  return static_cast<T*>(t.data);
}

void check_lapack(int info, const char* routine) {
  if (info < 0)
    throw std::invalid_argument(std::string(routine) + ": argument " + std::to_string(-info) +
                                " is invalid");
}

}  // namespace

template <class T>
void potrf(Tile a) {
  const int info = Blas<T>::potrf(I(a.rows), P<T>(a), I(a.ld));
  check_lapack(info, "potrf");
  if (info > 0) {
    throw std::domain_error("the tile is not positive definite (its leading minor of order " +
                            std::to_string(info) + " is not positive)");
  }
}

template <class T>
void trsm_cholesky(Tile akk, Tile amk) {
  Blas<T>::trsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, I(amk.rows), I(amk.cols), T(1),
                P<T>(akk), I(akk.ld), P<T>(amk), I(amk.ld));
}

template <class T>
void syrk(Tile ank, Tile ann) {
  Blas<T>::syrk(I(ann.rows), I(ank.cols), T(-1), P<T>(ank), I(ank.ld), T(1), P<T>(ann), I(ann.ld));
}

template <class T>
void gemm_nt(Tile amk, Tile ank, Tile amn) {
  Blas<T>::gemm(CblasNoTrans, CblasTrans, I(amn.rows), I(amn.cols), I(amk.cols), T(-1), P<T>(amk),
                I(amk.ld), P<T>(ank), I(ank.ld), T(1), P<T>(amn), I(amn.ld));
}

template <class T>
void getrf_nopiv(Tile a) {
  // Blocked right-looking LU without pivoting: unblocked panels of 32 columns, then a
  // triangular solve and a GEMM for the rest of the tile.
  const std::size_t m = a.rows, n = a.cols, ld = a.ld, k = std::min(m, n);
  T* A = P<T>(a);
  constexpr std::size_t kBlock = 32;
  for (std::size_t j = 0; j < k; j += kBlock) {
    const std::size_t jb = std::min(kBlock, k - j);
    for (std::size_t c = j; c < j + jb; ++c) {
      const T pivot = A[c + c * ld];
      if (pivot == T(0)) {
        throw std::domain_error("zero pivot at position " + std::to_string(c + 1) +
                                " (LU without pivoting)");
      }
      if (c + 1 < m) Blas<T>::scal(I(m - c - 1), T(1) / pivot, &A[c + 1 + c * ld]);
      if (c + 1 < m && c + 1 < j + jb) {
        Blas<T>::ger(I(m - c - 1), I(j + jb - c - 1), T(-1), &A[c + 1 + c * ld],
                     &A[c + (c + 1) * ld], I(ld), &A[c + 1 + (c + 1) * ld], I(ld));
      }
    }
    if (j + jb < n) {
      Blas<T>::trsm(CblasLeft, CblasLower, CblasNoTrans, CblasUnit, I(jb), I(n - j - jb), T(1),
                    &A[j + j * ld], I(ld), &A[j + (j + jb) * ld], I(ld));
      if (j + jb < m) {
        Blas<T>::gemm(CblasNoTrans, CblasNoTrans, I(m - j - jb), I(n - j - jb), I(jb), T(-1),
                      &A[j + jb + j * ld], I(ld), &A[j + (j + jb) * ld], I(ld), T(1),
                      &A[j + jb + (j + jb) * ld], I(ld));
      }
    }
  }
}

template <class T>
void trsm_ll(Tile akk, Tile akn) {
  Blas<T>::trsm(CblasLeft, CblasLower, CblasNoTrans, CblasUnit, I(akn.rows), I(akn.cols), T(1),
                P<T>(akk), I(akk.ld), P<T>(akn), I(akn.ld));
}

template <class T>
void trsm_ru(Tile akk, Tile amk) {
  Blas<T>::trsm(CblasRight, CblasUpper, CblasNoTrans, CblasNonUnit, I(amk.rows), I(amk.cols), T(1),
                P<T>(akk), I(akk.ld), P<T>(amk), I(amk.ld));
}

template <class T>
void gemm_nn(Tile amk, Tile akn, Tile amn) {
  Blas<T>::gemm(CblasNoTrans, CblasNoTrans, I(amn.rows), I(amn.cols), I(amk.cols), T(-1), P<T>(amk),
                I(amk.ld), P<T>(akn), I(akn.ld), T(1), P<T>(amn), I(amn.ld));
}

template <class T>
void geqrt(Tile a, Tile t) {
  const std::size_t k = std::min(a.rows, a.cols);
  const int ib = I(std::max<std::size_t>(1, std::min(t.rows, k)));
  check_lapack(Blas<T>::geqrt(I(a.rows), I(a.cols), ib, P<T>(a), I(a.ld), P<T>(t), I(t.ld)),
               "geqrt");
}

template <class T>
void unmqr(Tile akk, Tile tkk, Tile akn) {
  const std::size_t k = std::min(akk.rows, akk.cols);
  const int ib = I(std::max<std::size_t>(1, std::min(tkk.rows, k)));
  check_lapack(Blas<T>::gemqrt(I(akn.rows), I(akn.cols), I(k), ib, P<T>(akk), I(akk.ld), P<T>(tkk),
                               I(tkk.ld), P<T>(akn), I(akn.ld)),
               "gemqrt");
}

template <class T>
void tsqrt(Tile akk, Tile amk, Tile tmk) {
  const int ib = I(std::max<std::size_t>(1, std::min(tmk.rows, akk.cols)));
  check_lapack(Blas<T>::tpqrt(I(amk.rows), I(akk.cols), ib, P<T>(akk), I(akk.ld), P<T>(amk),
                              I(amk.ld), P<T>(tmk), I(tmk.ld)),
               "tpqrt");
}

template <class T>
void tsmqr(Tile akn, Tile amn, Tile amk, Tile tmk) {
  const std::size_t k = amk.cols;
  const int ib = I(std::max<std::size_t>(1, std::min(tmk.rows, k)));
  check_lapack(Blas<T>::tpmqrt(I(amn.rows), I(amn.cols), I(k), ib, P<T>(amk), I(amk.ld), P<T>(tmk),
                               I(tmk.ld), P<T>(akn), I(akn.ld), P<T>(amn), I(amn.ld)),
               "tpmqrt");
}

#define TESSERA_INSTANTIATE(T)                \
  template void potrf<T>(Tile);               \
  template void trsm_cholesky<T>(Tile, Tile); \
  template void syrk<T>(Tile, Tile);          \
  template void gemm_nt<T>(Tile, Tile, Tile); \
  template void getrf_nopiv<T>(Tile);         \
  template void trsm_ll<T>(Tile, Tile);       \
  template void trsm_ru<T>(Tile, Tile);       \
  template void gemm_nn<T>(Tile, Tile, Tile); \
  template void geqrt<T>(Tile, Tile);         \
  template void unmqr<T>(Tile, Tile, Tile);   \
  template void tsqrt<T>(Tile, Tile, Tile);   \
  template void tsmqr<T>(Tile, Tile, Tile, Tile);

TESSERA_INSTANTIATE(double)
TESSERA_INSTANTIATE(float)

}  // namespace tessera::codelets::blas::cpu
