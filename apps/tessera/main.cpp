// The `tessera` command-line program.

#include <cstdio>
#include <exception>

#include <tessera/version.hpp>

#include "tessera/commands.hpp"

int main(int argc, char** argv) {
  CLI::App app{"Tessera: a task-based runtime for heterogeneous machines"};
  app.set_version_flag("--version", tessera::kVersion);
  app.require_subcommand(1);
  tessera::cli::add_bench_command(app);
  tessera::cli::add_linalg_commands(app);
  tessera::cli::add_lm_command(app);
  tessera::cli::add_logs_command(app);
  tessera::cli::add_platform_command(app);
  tessera::cli::add_policies_command(app);
  tessera::cli::add_run_demo_command(app);
  tessera::cli::add_sim_command(app);
  tessera::cli::add_spamm_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
