#pragma once
// Options shared by every subcommand that starts a Runtime.

#include <CLI/CLI.hpp>
#include <string>

#include <tessera/config.hpp>

namespace tessera::cli {

struct RuntimeOptions {
  std::string sched;  // empty: TESSERA_SCHED or the default
  int ncpu = -1;
  std::string trace;
  std::string dot;
  bool no_bind = false;
  double progress = -1;  // < 0: TESSERA_PROGRESS, else kDefaultProgressSeconds
  static constexpr double kDefaultProgressSeconds = 5.0;

  // Adds --sched, --ncpu, --trace, --dot, --no-bind and --progress to `command`.
  void add_to(CLI::App& command);
  // Options given on the command line win over the environment.
  Config to_config() const;
};

}  // namespace tessera::cli
