#pragma once
// Each subcommand of the `tessera` program lives in its own cmd_*.cpp and registers itself
// on the application here.

#include <CLI/CLI.hpp>

namespace tessera::cli {

void add_bench_command(CLI::App& app);
void add_linalg_commands(CLI::App& app);
void add_lm_command(CLI::App& app);
void add_logs_command(CLI::App& app);
void add_platform_command(CLI::App& app);
void add_policies_command(CLI::App& app);
void add_run_demo_command(CLI::App& app);
void add_sim_command(CLI::App& app);
void add_spamm_command(CLI::App& app);

}  // namespace tessera::cli
