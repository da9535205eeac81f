#pragma once
// A small StarPU 1.3 driver of tiled Cholesky on the same tiles, tile kernels (Tessera's
// OpenBLAS/LAPACKE CPU kernels) and task order (apps/dags) as `tessera cholesky`: the peer
// of the real-kernel benchmarks, and the application the StarPU INSPIRIT plug-in is tested
// with. CPU workers only (Debian's StarPU has no CUDA).

#include <cstddef>
#include <string>
#include <vector>

struct starpu_sched_policy;

namespace tessera::peers {

struct StarpuOptions {
  int ncpu = 2;
  // A built-in StarPU policy by name ("lws", "dmda", ...), unless `policy` is given.
  std::string sched = "lws";
  starpu_sched_policy* policy = nullptr;
  // If true, STARPU_* environment variables (STARPU_SCHED...) override these options, as
  // in an unmodified StarPU application; otherwise the options win.
  bool environment_wins = false;
};

// StarPU initialised for the lifetime of the object (one at a time per process).
class StarpuSession {
 public:
  explicit StarpuSession(const StarpuOptions& options);
  ~StarpuSession();
  StarpuSession(const StarpuSession&) = delete;
  StarpuSession& operator=(const StarpuSession&) = delete;
  // The scheduling policy StarPU actually uses.
  std::string policy_name() const;
  unsigned worker_count() const;
};

struct StarpuRun {
  double seconds = 0;  // first submission to the end of the last task
  std::size_t tasks = 0;
};

// Factorizes the column-major n x n SPD matrix `a` in place (lower triangle, as LAPACK's
// dpotrf) with nb x nb tiles. Throws std::runtime_error if a tile is not positive definite.
StarpuRun starpu_cholesky(StarpuSession& session, std::vector<double>& a, std::size_t n,
                          std::size_t nb);

}  // namespace tessera::peers
