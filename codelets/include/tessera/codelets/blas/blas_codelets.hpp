#pragma once
// Tile kernels of the dense factorizations, as codelets. Every buffer is a MatrixHandle of
// one tile (column-major, any leading dimension; edge tiles may be smaller); QR's T
// factors are ib x nb tiles with ib the inner block size. CPU implementations call
// LAPACKE/CBLAS (OpenBLAS, one thread per task); CUDA implementations call cuBLAS/cuSOLVER
// when Tessera is built with CUDA. Each codelet has a persistent performance model
// (tessera_<name> in the model directory) and a flop count.
//
// Access order, as the DAG generators of apps/dags emit them:
//   potrf   A_kk (RW)                       A_kk = L L^T, lower
//   trsm    A_kk (R), A_mk (RW)             A_mk = A_mk L_kk^-T
//   syrk    A_nk (R), A_nn (RW)             A_nn -= A_nk A_nk^T (lower)
//   gemm_nt A_mk (R), A_nk (R), A_mn (RW)   A_mn -= A_mk A_nk^T          (Cholesky's GEMM)
//   getrf   A_kk (RW)                       A_kk = L U, no pivoting (unit lower L)
//   trsm_ll A_kk (R), A_kn (RW)             A_kn = L_kk^-1 A_kn
//   trsm_ru A_kk (R), A_mk (RW)             A_mk = A_mk U_kk^-1
//   gemm_nn A_mk (R), A_kn (R), A_mn (RW)   A_mn -= A_mk A_kn            (LU's GEMM)
//   geqrt   A_kk (RW), T_kk (W)             QR of a tile (LAPACK geqrt)
//   unmqr   A_kk (R), T_kk (R), A_kn (RW)   A_kn = Q_kk^T A_kn (gemqrt)
//   tsqrt   A_kk (RW), A_mk (RW), T_mk (W)  QR of [R_kk; A_mk] (tpqrt)
//   tsmqr   A_kn (RW), A_mn (RW), A_mk (R), T_mk (R)   apply its Q^T (tpmqrt)
// The QR kernels have no cuBLAS/cuSOLVER counterpart for the compact-WY tile forms: they
// run on CPU workers only.

#include <string_view>

#include <tessera/codelet.hpp>

namespace tessera::codelets::blas {

enum class Precision { d, s };

// Throws InvalidArgument for an unknown name.
const Codelet& kernel(std::string_view name, Precision precision);

// Whether this build has the CUDA implementations.
bool has_cuda();

// Sets OpenBLAS's thread count (tile kernels run with 1: the runtime is the parallelism).
void set_blas_threads(int threads);

}  // namespace tessera::codelets::blas
