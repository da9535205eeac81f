// tessera sim: simulate a task graph on a platform model with a scheduling policy.

#include <cstdio>
#include <memory>

#include <dags/dag_spec.hpp>
#include <dags/priorities.hpp>
#include <tessera/platform.hpp>
#include <tessera/simulation.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {
namespace {

struct SimCommand {
  std::string dag;
  std::string platform;
  SimOptions options;
  std::string priorities = "classic";
  bool json = false;
  bool schedule = false;
};

std::string human_bytes(double bytes) {
  char text[32];
  if (bytes >= 1e9) {
    std::snprintf(text, sizeof text, "%.2f GB", bytes / 1e9);
  } else {
    std::snprintf(text, sizeof text, "%.1f MB", bytes / 1e6);
  }
  return text;
}

void print_report(const SimResult& r, const Platform& p) {
  std::printf("tessera sim: %s (%zu tasks) on %s (%d workers) with %s, seed %llu%s\n",
              r.dag.c_str(), r.tasks, r.platform.c_str(), p.worker_count(), r.sched.c_str(),
              static_cast<unsigned long long>(r.seed), r.noise ? ", noisy durations" : "");
  std::printf("makespan      %.3f ms\n", r.makespan_us / 1e3);
  std::printf(
      "lower bound   %.3f ms (critical path %.3f ms, area %.3f ms); makespan / bound = %.3f\n",
      r.bound.value_us() / 1e3, r.bound.critical_path_us / 1e3, r.bound.area_us / 1e3,
      r.bound.value_us() > 0 ? r.makespan_us / r.bound.value_us() : 0.0);
  if (r.gflops > 0) std::printf("GFLOP/s       %.1f\n", r.gflops);
  std::printf("transfers     %llu (%s)\n", static_cast<unsigned long long>(r.transfers),
              human_bytes(r.bytes_transferred).c_str());
  std::printf("simulated in  %.3f s (%.0f tasks/s)\n", r.wall_seconds,
              static_cast<double>(r.tasks) / r.wall_seconds);
  std::printf("%-8s %-6s %7s %12s %12s %12s\n", "worker", "kind", "tasks", "busy ms", "transfer ms",
              "idle ms");
  for (const SimWorkerReport& w : r.workers) {
    std::printf("%-8s %-6s %7llu %12.3f %12.3f %12.3f\n", w.name.c_str(), w.kind.c_str(),
                static_cast<unsigned long long>(w.tasks), w.busy_us / 1e3, w.transfer_us / 1e3,
                w.idle_us / 1e3);
  }
}

}  // namespace

void add_sim_command(CLI::App& app) {
  auto cmd = std::make_shared<SimCommand>();
  CLI::App* command = app.add_subcommand("sim", "simulate a task graph on a platform model");
  add_help_footer(*command, "tessera sim --dag cholesky:20 --platform attila --sched inspirit",
                  "docs/simulation.md");
  command
      ->add_option("--dag", cmd->dag,
                   "cholesky:N, lu:N, qr:N (options :nb=960:elem=4), or a .json/.dot/.stg file")
      ->required();
  command->add_option("--platform", cmd->platform, "built-in platform name or platform JSON file")
      ->required();
  command->add_option("--sched", cmd->options.sched, "scheduling policy")->capture_default_str();
  command->add_option("--seed", cmd->options.seed, "seed of the noisy durations")
      ->capture_default_str();
  command->add_flag("--noise", cmd->options.noise, "sample durations around the model means");
  command->add_option("--trace", cmd->options.trace_file,
                      "write the simulated schedule as a Chrome/Perfetto trace");
  command
      ->add_option("--priorities", cmd->priorities,
                   "task priorities: classic (as generated), bottom-level, none")
      ->capture_default_str();
  cmd->options.progress_seconds = 5;
  command
      ->add_option("--progress", cmd->options.progress_seconds,
                   "a progress line on stderr every so many seconds of wall time (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e6));
  command->add_flag("--json", cmd->json, "print one JSON object instead of the table");
  command->add_flag("--schedule", cmd->schedule,
                    "with --json: include every task's worker, start and end");
  command->callback([cmd] {
    const Platform platform = Platform::resolve(cmd->platform);
    dags::GeneratorDefaults defaults;
    if (platform.tile > 0) defaults.tile_size = platform.tile;
    Dag dag = dags::make_dag(cmd->dag, defaults);
    dags::apply_priorities(dag, platform, dags::parse_priority_scheme(cmd->priorities));
    const SimResult result = simulate(dag, platform, cmd->options);
    if (cmd->json) {
      std::printf("%s\n", result.to_json(cmd->schedule).c_str());
    } else {
      print_report(result, platform);
      if (!cmd->options.trace_file.empty())
        std::printf("trace         %s\n", cmd->options.trace_file.c_str());
    }
  });
}

}  // namespace tessera::cli
