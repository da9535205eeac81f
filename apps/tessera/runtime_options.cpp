#include "tessera/runtime_options.hpp"

#include <cstdlib>

#include "tessera/commands.hpp"

namespace tessera::cli {

void RuntimeOptions::add_to(CLI::App& command) {
  command.add_option("--sched", sched,
                     "scheduling policy (name, name:key=value,..., or a policy .so)");
  command.add_option("--ncpu", ncpu, "number of CPU workers (default: one per core)")
      ->check(non_negative_number());
  command.add_option("--trace", trace, "write a Chrome/Perfetto trace of the run to this file");
  command.add_option("--dot", dot, "write the task graph as Graphviz DOT to this file");
  command.add_flag("--no-bind", no_bind,
                   "do not bind workers to cores (several processes per node, e.g. MPI ranks)");
  command
      .add_option("--progress", progress,
                  "a progress line on stderr every so many seconds (default 5, or "
                  "TESSERA_PROGRESS; 0: none)")
      ->check(CLI::Range(0.0, 1e6));
}

Config RuntimeOptions::to_config() const {
  Config config = Config{}.resolved();  // environment first...
  config.use_env = false;               // ...then the command line on top
  if (!sched.empty()) config.sched = sched;
  if (ncpu >= 0) config.ncpu = ncpu;
  if (!trace.empty()) config.trace_file = trace;
  if (!dot.empty()) config.dot_file = dot;
  if (no_bind) config.bind_workers = false;
  if (progress >= 0) {
    config.progress_seconds = progress;
  } else if (std::getenv("TESSERA_PROGRESS") == nullptr) {
    config.progress_seconds = kDefaultProgressSeconds;
  }
  return config;
}

}  // namespace tessera::cli
