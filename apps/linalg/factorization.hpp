#pragma once
// Real tiled dense factorizations on a Runtime: Cholesky, LU without pivoting and QR
// (flat tree), from the same task graph description as the simulator's DAGs
// (apps/dags/dense_factorizations), on the tile codelets of codelets/blas.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <tessera/codelets/blas/blas_codelets.hpp>
#include <tessera/runtime.hpp>

namespace tessera::linalg {

enum class Algorithm { cholesky, lu, qr };

struct FactorizationOptions {
  Algorithm algorithm = Algorithm::cholesky;
  std::size_t n = 2048;
  std::size_t nb = 256;
  codelets::blas::Precision precision = codelets::blas::Precision::d;
  bool check = false;
  // Submit the whole graph as one batch (Runtime::pause/resume): no task starts before the
  // last is submitted, and a planning policy (inspirit, heft) plans all of it at once.
  bool batch = false;
  std::uint64_t seed = 1;
  // Tests only: make the Cholesky input indefinite at this diagonal tile (-1: SPD).
  long indefinite_tile = -1;
};

struct FactorizationResult {
  std::size_t tiles = 0;  // per side
  std::size_t tasks = 0;
  double seconds = 0;  // first submission to the factor back in host memory
  double gflops = 0;
  double residual = -1;  // scaled residual (see residual_description), -1 unchecked
  bool ok = true;        // residual below the threshold (or unchecked)
  std::string residual_description;
};

Algorithm parse_algorithm(const std::string& name);
// Throws InvalidArgument for sizes that make no sense (naming them).
void validate(const FactorizationOptions& options);
double flop_count(Algorithm algorithm, double n);
// Factorizes a generated well-conditioned matrix (SPD for Cholesky, diagonally dominant for
// LU, random for QR). Throws TaskFailed naming the failing tile task (e.g. a
// non-positive-definite tile).
FactorizationResult factorize(Runtime& runtime, const FactorizationOptions& options);
// The same `repeat` times on one input (generated once; the first run warms the models),
// calling `report` after each run.
void factorize_repeatedly(Runtime& runtime, const FactorizationOptions& options, int repeat,
                          const std::function<void(const FactorizationResult&)>& report);

// The pieces of factorize, for drivers that compare runtimes on the same input (T = double
// or float; options.precision is ignored by these):
// the generated n x n column-major input of `options`,
template <class T>
std::vector<T> generate_input(const FactorizationOptions& options);
// the factorization of `a` in place (the factor overwrites it, as LAPACK's routines do),
template <class T>
FactorizationResult factorize_in_place(Runtime& runtime, const FactorizationOptions& options,
                                       std::vector<T>& a);
// and the scaled residual of `factor` against the input `a0` (see FactorizationResult).
template <class T>
double scaled_residual(const FactorizationOptions& options, const std::vector<T>& a0,
                       const std::vector<T>& factor);

}  // namespace tessera::linalg
