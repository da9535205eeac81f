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

  // Adds --sched, --ncpu, --trace, --dot and --no-bind to `command`.
  void add_to(CLI::App& command);
  // Options given on the command line win over the environment.
  Config to_config() const;
};

}  // namespace tessera::cli
