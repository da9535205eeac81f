// The ScaLAPACK peer of `tessera cholesky|lu --grid PxQ`: the same generated input, factorized
// by pdpotrf (Cholesky, lower) or pdgetrf (LU) on a P x Q BLACS grid whose block size is
// Tessera's tile size, with ranks placed on the grid in the same row-major order as Tessera's
// block-cyclic distribution. Run under mpirun:
//
//   mpirun -np 4 build/bin/tessera-peer-scalapack lu --n 8192 --nb 256 --grid 2x2 --check
//
// The time is from a barrier before the call to a barrier after it (the factor complete on
// every rank), as Tessera's distributed driver measures. ScaLAPACK's LU pivots by rows
// (there is no pdgetrf without pivoting), Tessera's does not; on the generated diagonally
// dominant input no row is exchanged, but pdgetrf still searches each column for its pivot.
// With --check, rank 0 gathers the factor (and the pivots) and computes the same scaled
// residual as Tessera's drivers.

#include <mpi.h>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <tessera/memory_budget.hpp>

#include "linalg/factorization.hpp"

extern "C" {
void Cblacs_pinfo(int* rank, int* ranks);
void Cblacs_get(int context, int request, int* value);
void Cblacs_gridinit(int* context, const char* order, int rows, int cols);
void Cblacs_gridinfo(int context, int* rows, int* cols, int* row, int* col);
void Cblacs_gridexit(int context);
int numroc_(const int* n, const int* nb, const int* iproc, const int* isrcproc, const int* nprocs);
void descinit_(int* desc, const int* m, const int* n, const int* mb, const int* nb,
               const int* irsrc, const int* icsrc, const int* context, const int* lld, int* info);
void pdpotrf_(const char* uplo, const int* n, double* a, const int* ia, const int* ja,
              const int* desc, int* info);
void pdgetrf_(const int* m, const int* n, double* a, const int* ia, const int* ja, const int* desc,
              int* ipiv, int* info);
}

namespace {

using tessera::linalg::Algorithm;
using tessera::linalg::FactorizationOptions;

// An error every rank meets at the same point (bad options, a failure all ranks agreed on):
// rank 0 reports it and every rank ends normally.
struct CollectiveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Grid {
  int rows = 1, cols = 1;
};

Grid parse_grid(const std::string& text) {
  Grid g;
  char x = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &g.rows, &x, &g.cols, &tail) != 3 || x != 'x' ||
      g.rows < 1 || g.cols < 1) {
    throw CollectiveError("--grid: expected PxQ with P, Q >= 1 (got '" + text + "')");
  }
  return g;
}

// Where global row (or column) `g` of a block-cyclic distribution lives: its process
// coordinate and its index in that process's local array.
struct Place {
  int process;
  int local;
};
Place place_of(int g, int nb, int processes) {
  const int block = g / nb;
  return {block % processes, (block / processes) * nb + g % nb};
}

// One rank's part of the matrix, with its grid coordinates.
struct LocalPart {
  int row = 0, col = 0;      // grid coordinates
  int rows = 0, cols = 0;    // local sizes
  std::vector<double> data;  // column-major, leading dimension max(1, rows)
};

// Calls f(global index, local index) for every element of `part`'s block-cyclic share.
template <class F>
void for_each_local(int n, int nb, const Grid& grid, const LocalPart& part, F&& f) {
  const std::size_t lld = static_cast<std::size_t>(std::max(1, part.rows));
  for (int j = 0; j < n; ++j) {
    const Place pc = place_of(j, nb, grid.cols);
    if (pc.process != part.col) continue;
    for (int i = 0; i < n; ++i) {
      const Place pr = place_of(i, nb, grid.rows);
      if (pr.process != part.row) continue;
      f(static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * n,
        static_cast<std::size_t>(pr.local) + static_cast<std::size_t>(pc.local) * lld);
    }
  }
}

void copy_in(const std::vector<double>& global, int n, int nb, const Grid& grid, LocalPart& part) {
  part.data.assign(static_cast<std::size_t>(std::max(1, part.rows)) * std::max(1, part.cols), 0.0);
  for_each_local(n, nb, grid, part,
                 [&](std::size_t g, std::size_t l) { part.data[l] = global[g]; });
}

void copy_out(const LocalPart& part, int n, int nb, const Grid& grid, std::vector<double>& global) {
  for_each_local(n, nb, grid, part,
                 [&](std::size_t g, std::size_t l) { global[g] = part.data[l]; });
}

struct Run {
  std::string algorithm = "cholesky";
  int n = 4096;
  int nb = 256;
  std::string grid = "1x1";
  bool check = false;
  int repeat = 1;
};

int run(const Run& r) {
  int rank = 0, ranks = 1;
  Cblacs_pinfo(&rank, &ranks);
  const Grid grid = parse_grid(r.grid);
  if (grid.rows * grid.cols != ranks) {
    throw CollectiveError("grid " + r.grid + " needs " + std::to_string(grid.rows * grid.cols) +
                          " MPI ranks, but the job has " + std::to_string(ranks));
  }
  FactorizationOptions o;
  o.algorithm = tessera::linalg::parse_algorithm(r.algorithm);
  if (o.algorithm == Algorithm::qr) throw CollectiveError("only cholesky and lu are compared");
  o.n = static_cast<std::size_t>(r.n);
  o.nb = static_cast<std::size_t>(r.nb);
  o.check = r.check;
  try {
    tessera::linalg::validate(o);
    // Every rank holds the whole input and its share; with --check, rank 0 also holds the
    // gathered factor, P A and the residual's three work matrices.
    const double matrix = 8.0 * r.n * r.n;
    tessera::require_memory(
        ranks * matrix * 1.25 + (r.check ? 5 * matrix : 0.0),
        "--n " + std::to_string(r.n) + " on " + std::to_string(ranks) + " ranks");
  } catch (const std::exception& e) {
    throw CollectiveError(e.what());
  }

  int context = 0;
  Cblacs_get(-1, 0, &context);
  Cblacs_gridinit(&context, "Row", grid.rows, grid.cols);
  LocalPart part;
  int grid_rows = 0, grid_cols = 0;
  Cblacs_gridinfo(context, &grid_rows, &grid_cols, &part.row, &part.col);
  const int zero = 0;
  part.rows = numroc_(&r.n, &r.nb, &part.row, &zero, &grid.rows);
  part.cols = numroc_(&r.n, &r.nb, &part.col, &zero, &grid.cols);
  int desc[9];
  int info = 0;
  const int lld = std::max(1, part.rows);
  descinit_(desc, &r.n, &r.n, &r.nb, &r.nb, &zero, &zero, &context, &lld, &info);
  if (info != 0) throw std::runtime_error("descinit failed: info " + std::to_string(info));

  const std::vector<double> input = tessera::linalg::generate_input<double>(o);
  std::vector<int> pivots(static_cast<std::size_t>(part.rows + r.nb), 0);
  if (rank == 0) {
    std::printf("scalapack %s: n = %d, nb = %d, double precision, grid %s (%d ranks)\n",
                r.algorithm.c_str(), r.n, r.nb, r.grid.c_str(), ranks);
  }
  const int one = 1;
  for (int round = 1; round <= r.repeat; ++round) {
    copy_in(input, r.n, r.nb, grid, part);
    MPI_Barrier(MPI_COMM_WORLD);
    const double start = MPI_Wtime();
    if (o.algorithm == Algorithm::cholesky) {
      pdpotrf_("L", &r.n, part.data.data(), &one, &one, desc, &info);
    } else {
      pdgetrf_(&r.n, &r.n, part.data.data(), &one, &one, desc, pivots.data(), &info);
    }
    MPI_Barrier(MPI_COMM_WORLD);
    const double seconds = MPI_Wtime() - start;
    int worst = 0;
    MPI_Allreduce(&info, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
    if (worst != 0) throw CollectiveError("factorization failed: info " + std::to_string(worst));
    if (rank == 0) {
      std::printf("run %d: %.3f s, %.2f GFLOP/s\n", round, seconds,
                  tessera::linalg::flop_count(o.algorithm, r.n) / seconds * 1e-9);
    }
  }

  if (r.check) {
    // Rank 0 gathers every rank's part (and, for LU, the pivots of each process row).
    std::vector<double> factor;
    std::vector<int> global_pivots(static_cast<std::size_t>(r.n), 0);
    if (rank == 0) {
      factor.assign(static_cast<std::size_t>(r.n) * r.n, 0.0);
      copy_out(part, r.n, r.nb, grid, factor);
      for (int i = 0; i < r.n; ++i) {
        const Place pr = place_of(i, r.nb, grid.rows);
        if (pr.process == 0)
          global_pivots[static_cast<std::size_t>(i)] = pivots[static_cast<std::size_t>(pr.local)];
      }
      for (int source = 1; source < ranks; ++source) {
        LocalPart other;
        int header[4];
        MPI_Recv(header, 4, MPI_INT, source, 0, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        other.row = header[0], other.col = header[1], other.rows = header[2],
        other.cols = header[3];
        other.data.resize(static_cast<std::size_t>(std::max(1, other.rows)) *
                          std::max(1, other.cols));
        MPI_Recv(other.data.data(), static_cast<int>(other.data.size()), MPI_DOUBLE, source, 1,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        std::vector<int> other_pivots(static_cast<std::size_t>(other.rows + r.nb));
        MPI_Recv(other_pivots.data(), static_cast<int>(other_pivots.size()), MPI_INT, source, 2,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        copy_out(other, r.n, r.nb, grid, factor);
        if (other.col == 0) {
          for (int i = 0; i < r.n; ++i) {
            const Place pr = place_of(i, r.nb, grid.rows);
            if (pr.process == other.row)
              global_pivots[static_cast<std::size_t>(i)] =
                  other_pivots[static_cast<std::size_t>(pr.local)];
          }
        }
      }
    } else {
      int header[4] = {part.row, part.col, part.rows, part.cols};
      MPI_Send(header, 4, MPI_INT, 0, 0, MPI_COMM_WORLD);
      MPI_Send(part.data.data(), static_cast<int>(part.data.size()), MPI_DOUBLE, 0, 1,
               MPI_COMM_WORLD);
      MPI_Send(pivots.data(), static_cast<int>(pivots.size()), MPI_INT, 0, 2, MPI_COMM_WORLD);
    }
    if (rank == 0) {
      std::vector<double> permuted = input;  // P A: the rows exchanged in pdgetrf's order
      int exchanges = 0;
      if (o.algorithm == Algorithm::lu) {
        for (int i = 0; i < r.n; ++i) {
          const int with = global_pivots[static_cast<std::size_t>(i)] - 1;
          if (with == i) continue;
          ++exchanges;
          for (int j = 0; j < r.n; ++j) {
            std::swap(permuted[static_cast<std::size_t>(i) + static_cast<std::size_t>(j) * r.n],
                      permuted[static_cast<std::size_t>(with) + static_cast<std::size_t>(j) * r.n]);
          }
        }
      }
      const double residual = tessera::linalg::scaled_residual(o, permuted, factor);
      const bool ok = residual < 100.0;
      const std::string measure =
          o.algorithm == Algorithm::cholesky
              ? std::string("||A - L L^T|| / (||A|| n eps)")
              : "||P A - L U|| / (||A|| n eps), " + std::to_string(exchanges) + " row exchanges";
      std::printf("residual %.3g (%s): %s\n", residual, measure.c_str(), ok ? "OK" : "FAILED");
      if (!ok) return 1;
    }
  }
  Cblacs_gridexit(context);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  CLI::App app{"ScaLAPACK's pdpotrf/pdgetrf on Tessera's generated input (bench/peers)"};
  Run r;
  app.add_option("algorithm", r.algorithm, "cholesky or lu")
      ->check(CLI::IsMember({"cholesky", "lu"}))
      ->capture_default_str();
  app.add_option("--n", r.n, "matrix order")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--nb", r.nb, "block size (Tessera's tile size)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--grid", r.grid, "PxQ process grid (P * Q = ranks)")->capture_default_str();
  app.add_option("--repeat", r.repeat, "factorize this many times")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_flag("--check", r.check, "gather the factor on rank 0 and compute the scaled residual");
  app.footer(
      "Example: mpirun -np 2 tessera-peer-scalapack cholesky --n 4096 --nb 256 --grid 2x1\n"
      "Documented in docs/mpi.md");
  int status = 0;
  try {
    app.parse(argc, argv);
    status = run(r);
  } catch (const CLI::ParseError& e) {
    status = app.exit(e) == 0 ? 0 : 2;
  } catch (const CollectiveError& e) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    if (rank == 0) std::fprintf(stderr, "tessera-peer-scalapack: error: %s\n", e.what());
    status = 1;
  } catch (const std::exception& e) {
    // A failure that other ranks may not see: end the whole job rather than let them wait.
    std::fprintf(stderr, "tessera-peer-scalapack: error: %s\n", e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  MPI_Finalize();
  return status;
}
