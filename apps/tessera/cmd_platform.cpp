// tessera platform: list, show and import platform descriptions.

#include <cstdio>
#include <fstream>
#include <memory>

#include <platform/starpu_import.hpp>
#include <tessera/error.hpp>
#include <tessera/platform.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {

void add_platform_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("platform", "list, show or import platform descriptions");
  command->require_subcommand(1);

  command->add_subcommand("list", "list the built-in platforms")->callback([] {
    for (const std::string& name : Platform::builtin_names()) {
      const Platform p = Platform::builtin(name);
      std::printf("%-10s %s\n", name.c_str(), p.description.c_str());
    }
  });

  auto shown = std::make_shared<std::string>();
  CLI::App* show = command->add_subcommand("show", "print a platform (built-in name or file) as JSON");
  show->add_option("platform", *shown, "name or file")->required();
  show->callback([shown] { std::printf("%s", Platform::resolve(*shown).to_json().c_str()); });

  struct Import {
    std::string dir, machine, out;
  };
  auto import = std::make_shared<Import>();
  CLI::App* cmd = command->add_subcommand(
      "import-starpu", "build a platform from StarPU's perfmodel (version 45) and bus files");
  cmd->add_option("sampling-dir", import->dir, "StarPU sampling directory (with codelets/45 and bus/)")->required();
  cmd->add_option("machine", import->machine, "machine name, e.g. sirocco")->required();
  cmd->add_option("-o,--output", import->out, "write the JSON here instead of standard output");
  cmd->callback([import] {
    const Platform p = tools::import_starpu_platform(import->dir, import->machine);
    const std::string json = p.to_json();
    Platform::parse(json, "the imported platform");  // what we write must read back
    if (import->out.empty()) {
      std::printf("%s", json.c_str());
      return;
    }
    std::ofstream out(import->out);
    out << json;
    if (!out) throw Error("cannot write '" + import->out + "'");
    std::fprintf(stderr, "wrote %s: %d workers, %zu task types\n", import->out.c_str(), p.worker_count(),
                 p.task_costs.size());
  });
}

}  // namespace tessera::cli
