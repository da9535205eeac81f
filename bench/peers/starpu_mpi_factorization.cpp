// The StarPU-MPI peer of `tessera cholesky|lu --grid PxQ`: the same generated input, tiles,
// tile kernels (Tessera's OpenBLAS/LAPACKE CPU kernels), task order and priorities (apps/dags),
// and the same 2D block-cyclic owners (tile (i, j) on rank (i mod P) * Q + j mod Q), submitted
// on every rank with starpu_mpi_task_insert, which runs each task on the owner of the tile it
// writes and moves the tiles it reads. Run under mpirun:
//
//   mpirun -np 2 build/bin/tessera-peer-starpu-mpi cholesky --n 8192 --nb 256 --grid 2x1
//
// The time is from a barrier before the first submission to a barrier after every rank's
// tasks are done, as Tessera's distributed driver measures. With --check, rank 0 fetches every
// tile and computes the same scaled residual as Tessera's drivers.

#include <starpu.h>
#include <starpu_mpi.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include <dags/dense_factorizations.hpp>
#include <tessera/codelets/blas/blas_codelets.hpp>

#include <tessera/memory_budget.hpp>

#include "linalg/factorization.hpp"
#include "starpu_tiles.hpp"

namespace {

namespace starpu_kernels = tessera::peers::starpu_kernels;
using tessera::linalg::Algorithm;

// An error every rank meets at the same point: rank 0 reports it, every rank ends normally.
struct CollectiveError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The codelets of one algorithm, by the tile-kernel type names of apps/dags.
class Codelets {
 public:
  explicit Codelets(Algorithm algorithm) {
    if (algorithm == Algorithm::cholesky) {
      add("potrf", starpu_kernels::potrf, 1);
      add("trsm", starpu_kernels::trsm_cholesky, 2);
      add("syrk", starpu_kernels::syrk, 2);
      add("gemm", starpu_kernels::gemm_nt, 3);
    } else {
      add("getrf", starpu_kernels::getrf, 1);
      add("trsm_ll", starpu_kernels::trsm_ll, 2);
      add("trsm_ru", starpu_kernels::trsm_ru, 2);
      add("gemm", starpu_kernels::gemm_nn, 3);
    }
  }
  starpu_codelet* find(std::string_view type) {
    for (std::size_t k = 0; k < count_; ++k) {
      if (type == codelets_[k].name) return &codelets_[k];
    }
    throw std::logic_error("no StarPU codelet for tile kernel " + std::string(type));
  }

 private:
  void add(const char* name, starpu_cpu_func_t function, int buffers) {
    starpu_codelet& c = codelets_[count_++];
    starpu_codelet_init(&c);
    c.cpu_funcs[0] = function;
    c.nbuffers = buffers;
    for (int i = 0; i < buffers; ++i) c.modes[i] = i + 1 == buffers ? STARPU_RW : STARPU_R;
    c.name = name;
  }
  starpu_codelet codelets_[4]{};
  std::size_t count_ = 0;
};

class MpiSink final : public tessera::dags::TileSink {
 public:
  MpiSink(Codelets& codelets, std::vector<starpu_data_handle_t>& tiles, int per_side)
      : codelets_(codelets), tiles_(tiles), per_side_(per_side) {}
  void task(const tessera::dags::TileKernel& kernel,
            std::initializer_list<tessera::dags::TileAccess> accesses, int priority, int, int,
            int) override {
    starpu_data_handle_t h[3]{};
    int count = 0;
    for (const tessera::dags::TileAccess& a : accesses) {
      h[count++] = tiles_[static_cast<std::size_t>(a.tile.row + a.tile.col * per_side_)];
    }
    starpu_codelet* cl = codelets_.find(kernel.type);
    int rc = 0;
    switch (count) {  // the last tile is written, the others read (see Codelets::add)
      case 1:
        rc = starpu_mpi_task_insert(MPI_COMM_WORLD, cl, STARPU_RW, h[0], STARPU_PRIORITY, priority,
                                    0);
        break;
      case 2:
        rc = starpu_mpi_task_insert(MPI_COMM_WORLD, cl, STARPU_R, h[0], STARPU_RW, h[1],
                                    STARPU_PRIORITY, priority, 0);
        break;
      default:
        rc = starpu_mpi_task_insert(MPI_COMM_WORLD, cl, STARPU_R, h[0], STARPU_R, h[1], STARPU_RW,
                                    h[2], STARPU_PRIORITY, priority, 0);
    }
    if (rc != 0)
      throw std::runtime_error("starpu_mpi_task_insert failed (" + std::to_string(rc) + ")");
    ++tasks;
  }
  std::size_t tasks = 0;

 private:
  Codelets& codelets_;
  std::vector<starpu_data_handle_t>& tiles_;
  int per_side_;
};

struct Run {
  std::string algorithm = "cholesky";
  int n = 4096;
  int nb = 256;
  std::string grid = "1x1";
  int ncpu = 1;
  std::string sched = "lws";
  bool check = false;
};

void parse_grid(const std::string& text, int& rows, int& cols) {
  char x = 0, tail = 0;
  if (std::sscanf(text.c_str(), "%d%c%d%c", &rows, &x, &cols, &tail) != 3 || x != 'x' || rows < 1 ||
      cols < 1) {
    throw CollectiveError("--grid: expected PxQ with P, Q >= 1 (got '" + text + "')");
  }
}

int run(const Run& r, int rank, int ranks) {
  int rows = 1, cols = 1;
  parse_grid(r.grid, rows, cols);
  if (rows * cols != ranks) {
    throw CollectiveError("grid " + r.grid + " needs " + std::to_string(rows * cols) +
                          " MPI ranks, but the job has " + std::to_string(ranks));
  }
  tessera::linalg::FactorizationOptions o;
  o.algorithm = tessera::linalg::parse_algorithm(r.algorithm);
  o.n = static_cast<std::size_t>(r.n);
  o.nb = static_cast<std::size_t>(r.nb);
  try {
    tessera::linalg::validate(o);
    // Every rank holds the whole input (its tiles live in it) and copies of the tiles it
    // receives; with --check, rank 0 also holds the input, the factor and the residual's
    // three work matrices.
    const double matrix = 8.0 * r.n * r.n;
    tessera::require_memory(
        ranks * matrix * 1.5 + (r.check ? 5 * matrix : 0.0),
        "--n " + std::to_string(r.n) + " on " + std::to_string(ranks) + " ranks");
  } catch (const std::exception& e) {
    throw CollectiveError(e.what());
  }
  std::vector<double> a = tessera::linalg::generate_input<double>(o);
  const std::vector<double> input = r.check && rank == 0 ? a : std::vector<double>();
  const int n = r.n, nb = r.nb;
  const int per_side = (n + nb - 1) / nb;
  auto extent = [&](int i) { return std::min(nb, n - i * nb); };
  std::vector<starpu_data_handle_t> tiles(static_cast<std::size_t>(per_side) * per_side);
  for (int j = 0; j < per_side; ++j) {
    for (int i = 0; i < per_side; ++i) {
      const int owner = (i % rows) * cols + j % cols;
      starpu_data_handle_t& h = tiles[static_cast<std::size_t>(i + j * per_side)];
      if (owner == rank) {
        starpu_matrix_data_register(
            &h, STARPU_MAIN_RAM,
            reinterpret_cast<uintptr_t>(
                &a[static_cast<std::size_t>(i) * nb + static_cast<std::size_t>(j) * nb * n]),
            static_cast<uint32_t>(n), static_cast<uint32_t>(extent(i)),
            static_cast<uint32_t>(extent(j)), sizeof(double));
      } else {  // StarPU allocates a copy here when a task of this rank reads it
        starpu_matrix_data_register(&h, -1, 0, static_cast<uint32_t>(extent(i)),
                                    static_cast<uint32_t>(extent(i)),
                                    static_cast<uint32_t>(extent(j)), sizeof(double));
      }
      starpu_mpi_data_register(h, i + j * per_side, owner);
    }
  }
  if (rank == 0) {
    std::printf(
        "starpu-mpi %s: n = %d, nb = %d, double precision, grid %s (%d ranks), policy %s, "
        "%u workers per rank\n",
        r.algorithm.c_str(), n, nb, r.grid.c_str(), ranks, r.sched.c_str(),
        starpu_worker_get_count());
  }
  Codelets codelets(o.algorithm);
  MpiSink sink(codelets, tiles, per_side);
  tessera::peers::g_tile_failed = false;
  starpu_mpi_barrier(MPI_COMM_WORLD);
  const double start = starpu_timing_now();
  if (o.algorithm == Algorithm::cholesky) {
    tessera::dags::cholesky(per_side, sink);
  } else {
    tessera::dags::lu(per_side, sink);
  }
  starpu_task_wait_for_all();
  starpu_mpi_wait_for_all(MPI_COMM_WORLD);
  starpu_mpi_barrier(MPI_COMM_WORLD);
  const double seconds = (starpu_timing_now() - start) * 1e-6;
  if (rank == 0) {
    std::printf("run: %d x %d tiles, %zu tasks, %.3f s, %.2f GFLOP/s\n", per_side, per_side,
                sink.tasks, seconds, tessera::linalg::flop_count(o.algorithm, n) / seconds * 1e-9);
  }
  if (r.check) {
    for (starpu_data_handle_t h : tiles) starpu_mpi_get_data_on_node(MPI_COMM_WORLD, h, 0);
  }
  if (rank == 0 && r.check) {
    std::vector<double> factor(a.size());
    for (int j = 0; j < per_side; ++j) {
      for (int i = 0; i < per_side; ++i) {
        starpu_data_handle_t h = tiles[static_cast<std::size_t>(i + j * per_side)];
        starpu_data_acquire(h, STARPU_R);
        const auto* p = reinterpret_cast<const double*>(starpu_matrix_get_local_ptr(h));
        const std::size_t ld = starpu_matrix_get_local_ld(h);
        for (int c = 0; c < extent(j); ++c) {
          for (int x = 0; x < extent(i); ++x) {
            factor[static_cast<std::size_t>(i * nb + x) +
                   static_cast<std::size_t>(j * nb + c) * n] =
                p[static_cast<std::size_t>(x) + c * ld];
          }
        }
        starpu_data_release(h);
      }
    }
    const double residual = tessera::linalg::scaled_residual(o, input, factor);
    const bool ok = residual < 100.0 && !tessera::peers::g_tile_failed;
    std::printf("residual %.3g (%s): %s\n", residual,
                o.algorithm == Algorithm::cholesky ? "||A - L L^T|| / (||A|| n eps)"
                                                   : "||A - L U|| / (||A|| n eps)",
                ok ? "OK" : "FAILED");
    if (!ok) return 1;
  }
  for (starpu_data_handle_t h : tiles) starpu_data_unregister(h);
  if (tessera::peers::g_tile_failed) throw std::runtime_error("a tile kernel failed");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"StarPU-MPI's task insertion on Tessera's tiles, kernels and distribution"};
  Run r;
  app.add_option("algorithm", r.algorithm, "cholesky or lu")
      ->check(CLI::IsMember({"cholesky", "lu"}))
      ->capture_default_str();
  app.add_option("--n", r.n, "matrix order")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--nb", r.nb, "tile size")->check(CLI::PositiveNumber)->capture_default_str();
  app.add_option("--grid", r.grid, "PxQ process grid (P * Q = ranks)")->capture_default_str();
  app.add_option("--ncpu", r.ncpu, "CPU workers per rank")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--sched", r.sched, "StarPU scheduling policy")->capture_default_str();
  app.add_flag("--check", r.check, "fetch every tile on rank 0 and compute the scaled residual");
  app.footer(
      "Example: mpirun -np 2 tessera-peer-starpu-mpi cholesky --n 4096 --nb 256 --grid 2x1\n"
      "Documented in docs/mpi.md");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // every rank parses the same line: no MPI yet
  }
  starpu_conf conf = tessera::peers::cpu_only_conf(r.ncpu);
  conf.sched_policy_name = r.sched.c_str();
  conf.precedence_over_environment_variables = 1;
  if (const int rc = starpu_mpi_init_conf(&argc, &argv, 1, MPI_COMM_WORLD, &conf); rc != 0) {
    std::fprintf(stderr, "tessera-peer-starpu-mpi: error: starpu_mpi_init_conf failed (%d)\n", rc);
    return 1;
  }
  int rank = 0, ranks = 1;
  starpu_mpi_comm_rank(MPI_COMM_WORLD, &rank);
  starpu_mpi_comm_size(MPI_COMM_WORLD, &ranks);
  int status = 0;
  try {
    status = run(r, rank, ranks);
  } catch (const CollectiveError& e) {
    if (rank == 0) std::fprintf(stderr, "tessera-peer-starpu-mpi: error: %s\n", e.what());
    status = 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera-peer-starpu-mpi: error on rank %d: %s\n", rank, e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  starpu_mpi_shutdown();
  return status;
}
