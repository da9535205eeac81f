// tessera run-demo: 1D heat diffusion plus a tree reduction on all CPU workers, with a
// bit-exact check against a sequential run, the time, and per-worker task counts.

#include <cstdio>
#include <memory>

#include <demo/heat_demo.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

#include "tessera/commands.hpp"
#include "tessera/runtime_options.hpp"

namespace tessera::cli {
namespace {

struct RunDemoOptions {
  RuntimeOptions runtime;
  demo::HeatOptions heat;
};

void print_report(const Runtime& rt, const demo::HeatOptions& o, const demo::HeatResult& r) {
  std::printf(
      "tessera run-demo: 1D heat diffusion, %zu points in %zu tiles, %d steps, then a tree "
      "reduction\n",
      o.points, o.tiles, o.steps);
  std::printf("policy %s, %zu CPU workers\n", std::string(rt.policy_name()).c_str(),
              rt.workers().size());
  std::printf("tasks  %zu in %.3f s (%.1f k tasks/s)\n", r.tasks, r.seconds,
              static_cast<double>(r.tasks) / r.seconds / 1e3);
  std::printf(
      "check  %s: sum of temperatures %.12g, sequential reference %.12g, max |difference| %.3g\n",
      r.ok ? "OK" : "FAILED", r.total, r.reference, r.max_abs_diff);
  std::printf("%-8s %8s %10s\n", "worker", "tasks", "busy ms");
  for (const WorkerStats& s : rt.worker_stats()) {
    std::printf("%-8s %8llu %10.1f\n", s.name.c_str(), static_cast<unsigned long long>(s.tasks),
                s.busy_us / 1e3);
  }
}

}  // namespace

void add_run_demo_command(CLI::App& app) {
  auto options = std::make_shared<RunDemoOptions>();
  CLI::App* command =
      app.add_subcommand("run-demo", "run a small task graph with real arithmetic and check it");
  add_help_footer(*command, "tessera run-demo --sched inspirit --ncpu 2",
                  "docs/cli.md (run-demo) and docs/api.md");
  options->runtime.add_to(*command);
  command->add_option("--points", options->heat.points, "grid points")->capture_default_str();
  command->add_option("--tiles", options->heat.tiles, "tiles (one task per tile and step)")
      ->capture_default_str();
  command->add_option("--steps", options->heat.steps, "time steps")->capture_default_str();
  command->add_option("--alpha", options->heat.alpha, "diffusion number, at most 0.5")
      ->capture_default_str();
  command->callback([options] {
    demo::validate(options->heat);
    Runtime rt(options->runtime.to_config());
    const demo::HeatResult result = demo::run_heat(rt, options->heat);
    print_report(rt, options->heat, result);
    rt.shutdown();
    if (!options->runtime.trace.empty())
      std::printf("trace  %s (open in https://ui.perfetto.dev)\n", options->runtime.trace.c_str());
    if (!options->runtime.dot.empty()) std::printf("graph  %s\n", options->runtime.dot.c_str());
    if (!result.ok)
      throw Error("run-demo: the task graph's result differs from the sequential reference");
  });
}

}  // namespace tessera::cli
