// tessera policies: lists the scheduling policies built in.

#include <cstdio>

#include <tessera/policy.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {

void add_policies_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("policies", "list the built-in scheduling policies");
  command->callback([] {
    for (const PolicyInfo& p : registered_policies())
      std::printf("%-12s %s\n", p.name.c_str(), p.description.c_str());
  });
}

}  // namespace tessera::cli
