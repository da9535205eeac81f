// tessera cholesky|lu|qr: real tiled factorizations on the CPU (and CUDA) workers.

#include <cstdio>
#include <memory>

#include <linalg/factorization.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

#include "tessera/commands.hpp"
#include "tessera/distributed_linalg.hpp"
#include "tessera/runtime_options.hpp"

namespace tessera::cli {
namespace {

struct LinalgCommand {
  RuntimeOptions runtime;
  linalg::FactorizationOptions options;
  std::string precision = "d";
  int ncuda = -1;
  int repeat = 1;
  std::string grid;
};

void add_one(CLI::App& app, const std::string& name, const std::string& description) {
  auto cmd = std::make_shared<LinalgCommand>();
  CLI::App* sub = app.add_subcommand(name, description);
  add_help_footer(*sub, "tessera " + name + " --n 4096 --nb 256 --check --sched dmda",
                  "docs/cli.md (cholesky, lu, qr); with --grid, docs/mpi.md");
  cmd->runtime.add_to(*sub);
  sub->add_option("--n", cmd->options.n, "matrix order")->capture_default_str();
  sub->add_option("--nb", cmd->options.nb, "tile size")->capture_default_str();
  sub->add_option("--precision", cmd->precision, "d (double) or s (single)")
      ->check(CLI::IsMember({"d", "s"}))
      ->capture_default_str();
  sub->add_option("--ncuda", cmd->ncuda, "CUDA workers (default: one per GPU)");
  sub->add_option("--repeat", cmd->repeat, "factorize this many times (the first warms the models)")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--check", cmd->options.check, "compute the scaled residual");
  sub->add_flag("--batch", cmd->options.batch,
                "submit the whole graph as one batch (pause/resume): planning policies "
                "(inspirit, heft) plan all of it before the first task starts");
  sub->add_option("--seed", cmd->options.seed, "seed of the generated matrix")
      ->capture_default_str();
  sub->add_option("--grid", cmd->grid,
                  "PxQ: run over the ranks of an MPI job (mpirun -np P*Q), tiles 2D block-cyclic")
      ->check([](const std::string& text) { return text.empty() ? "empty grid" : ""; });
  sub->callback([cmd, name] {
    cmd->options.algorithm = linalg::parse_algorithm(name);
    cmd->options.precision =
        cmd->precision == "d" ? codelets::blas::Precision::d : codelets::blas::Precision::s;
    linalg::validate(cmd->options);
    if (!cmd->grid.empty()) {
      if (cmd->repeat != 1 || cmd->ncuda >= 0 || cmd->options.batch) {
        throw InvalidArgument(
            name + " --grid: --repeat, --ncuda and --batch are not supported with --grid");
      }
      if (const int status =
              run_distributed_factorization(name, cmd->runtime, cmd->options, cmd->grid)) {
        throw Error(name + ": the distributed run failed (status " + std::to_string(status) + ")");
      }
      return;
    }
    Config config = cmd->runtime.to_config();
    if (cmd->ncuda >= 0) config.ncuda = cmd->ncuda;
    Runtime rt(config);
    int cpu = 0, gpu = 0;
    for (const WorkerInfo& w : rt.workers()) (w.arch == Arch::cpu ? cpu : gpu)++;
    std::printf(
        "tessera %s: n = %zu, nb = %zu, %s precision, policy %s, %d CPU + %d CUDA workers\n",
        name.c_str(), cmd->options.n, cmd->options.nb, cmd->precision == "d" ? "double" : "single",
        std::string(rt.policy_name()).c_str(), cpu, gpu);
    bool ok = true;
    int run = 0;
    linalg::factorize_repeatedly(
        rt, cmd->options, cmd->repeat, [&](const linalg::FactorizationResult& res) {
          std::printf("run %d: %zu x %zu tiles, %zu tasks, %.3f s, %.2f GFLOP/s", ++run, res.tiles,
                      res.tiles, res.tasks, res.seconds, res.gflops);
          if (res.residual >= 0) {
            std::printf(", residual %.3g (%s): %s", res.residual, res.residual_description.c_str(),
                        res.ok ? "OK" : "FAILED");
          }
          std::printf("\n");
          std::fflush(stdout);
          ok = ok && res.ok;
        });
    rt.shutdown();
    if (!ok) throw Error(name + ": the residual check failed");
  });
}

}  // namespace

void add_linalg_commands(CLI::App& app) {
  add_one(app, "cholesky", "tiled Cholesky factorization of a generated SPD matrix");
  add_one(app, "lu",
          "tiled LU factorization without pivoting of a generated diagonally dominant matrix");
  add_one(app, "qr", "tiled QR factorization (flat tree) of a generated random matrix");
}

}  // namespace tessera::cli
