#include <cstdio>
#include <vector>

#include <linalg/distributed_factorization.hpp>
#include <tessera/mpi/context.hpp>
#include <tessera/mpi/environment.hpp>

#include "tessera/distributed_linalg.hpp"

namespace tessera::cli {
namespace {

template <class T>
bool run(const std::string& command, mpi::Context& ctx, const linalg::FactorizationOptions& o,
         const mpi::BlockCyclic2D& grid) {
  std::vector<T> a = linalg::generate_input<T>(o);
  std::vector<T> input;
  if (o.check && ctx.rank() == 0) input = a;
  const linalg::DistributedFactorization d = linalg::factorize_distributed(ctx, o, grid, a);
  if (ctx.rank() != 0) return true;
  const auto& r = d.result;
  std::printf("run: %zu x %zu tiles, %zu tasks, %.3f s, %.2f GFLOP/s", r.tiles, r.tiles, r.tasks,
              r.seconds, r.gflops);
  bool ok = true;
  if (o.check) {
    const double residual = linalg::scaled_residual(o, input, a);
    ok = residual < 100.0;
    std::printf(", residual %.3g (%s): %s", residual,
                o.algorithm == linalg::Algorithm::cholesky ? "||A - L L^T|| / (||A|| n eps)"
                                                           : "||A - L U|| / (||A|| n eps)",
                ok ? "OK" : "FAILED");
  }
  std::printf("\n");
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
  for (std::size_t rank = 0; rank < d.comm.size(); ++rank) {
    const mpi::CommStats& s = d.comm[rank];
    std::printf("rank %zu: sent %llu messages, %.2f MB; received %llu messages, %.2f MB\n", rank,
                static_cast<unsigned long long>(s.messages_sent),
                static_cast<double>(s.bytes_sent) / 1e6,
                static_cast<unsigned long long>(s.messages_received),
                static_cast<double>(s.bytes_received) / 1e6);
    messages += s.messages_sent;
    bytes += s.bytes_sent;
  }
  std::printf(
      "communication: %llu messages, %.2f MB; the %s block-cyclic algorithm needs %llu messages, "
      "%.2f MB\n",
      static_cast<unsigned long long>(messages), static_cast<double>(bytes) / 1e6,
      grid.to_string().c_str(), static_cast<unsigned long long>(d.model_messages),
      static_cast<double>(d.model_bytes) / 1e6);
  (void)command;
  return ok;
}

}  // namespace

int run_distributed_factorization(const std::string& command, const RuntimeOptions& runtime,
                                  const linalg::FactorizationOptions& options,
                                  const std::string& grid_text) {
  mpi::Environment env;
  const mpi::BlockCyclic2D grid = mpi::BlockCyclic2D::parse(grid_text);
  grid.require_ranks(env.size());  // every rank reaches the same verdict: no rank waits
  linalg::require_distributable(options);
  bool ok = false;
  try {
    Runtime rt(runtime.to_config());
    mpi::Context ctx(rt);
    if (ctx.rank() == 0) {
      std::printf(
          "tessera %s: n = %zu, nb = %zu, %s precision, grid %s (%d ranks), policy %s, %zu workers "
          "per rank\n",
          command.c_str(), options.n, options.nb,
          options.precision == codelets::blas::Precision::d ? "double" : "single",
          grid.to_string().c_str(), ctx.size(), std::string(rt.policy_name()).c_str(),
          rt.workers().size());
      std::fflush(stdout);
    }
    ok = options.precision == codelets::blas::Precision::d
             ? run<double>(command, ctx, options, grid)
             : run<float>(command, ctx, options, grid);
  } catch (const mpi::DistributedError& e) {
    // Every rank gets here with the same message; messages may still be unmatched, so end
    // the job instead of waiting in MPI_Finalize.
    std::fprintf(stderr, "tessera: rank %d: error: %s\n", env.rank(), e.what());
    std::fflush(stderr);
    mpi::Environment::abort(1);
  }
  if (!ok) {
    std::fprintf(stderr, "tessera: %s: the residual check failed\n", command.c_str());
    return 1;
  }
  return 0;
}

}  // namespace tessera::cli
