// tessera policies: lists the scheduling policies built in, or one policy's options.

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include <tessera/policy.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {
namespace {

void print_options(const PolicyInfo& policy) {
  std::printf("%s: %s\n", policy.name.c_str(), policy.description.c_str());
  if (policy.options.empty()) {
    std::printf("it takes no options\n");
    return;
  }
  std::size_t name_width = 6;
  std::size_t default_width = 7;
  for (const PolicyOptionInfo& o : policy.options) {
    name_width = std::max(name_width, o.name.size());
    default_width = std::max(default_width, o.default_value.size());
  }
  const int nw = static_cast<int>(name_width);
  const int dw = static_cast<int>(default_width);
  std::printf("\n%-*s  %-*s  %s\n", nw, "option", dw, "default", "meaning");
  for (const PolicyOptionInfo& o : policy.options) {
    std::printf("%-*s  %-*s  %s\n", nw, o.name.c_str(), dw, o.default_value.c_str(),
                o.meaning.c_str());
  }
  const PolicyOptionInfo& first = policy.options.front();
  std::printf("\nexample: --sched %s:%s=%s (or TESSERA_SCHED=%s:%s=%s)\n", policy.name.c_str(),
              first.name.c_str(), first.default_value.c_str(), policy.name.c_str(),
              first.name.c_str(), first.default_value.c_str());
}

}  // namespace

void add_policies_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand(
      "policies", "list the built-in scheduling policies, or one policy's options");
  add_help_footer(*command, "tessera policies --options inspirit", "docs/policies.md");
  auto options_of = std::make_shared<std::string>();
  command->add_option("--options", *options_of, "list the options of this policy, with defaults")
      ->type_name("NAME");
  command->callback([options_of] {
    if (!options_of->empty()) {
      print_options(policy_info(*options_of));  // an unknown name is an error naming the known
      return;
    }
    for (const PolicyInfo& p : registered_policies())
      std::printf("%-12s %s\n", p.name.c_str(), p.description.c_str());
  });
}

}  // namespace tessera::cli
