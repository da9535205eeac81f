// tessera platform: list, show and import platform descriptions.

#include <cstdio>
#include <fstream>
#include <memory>

#include <platform/starpu_import.hpp>
#include <platform/tessera_models.hpp>
#include <tessera/error.hpp>
#include <tessera/platform.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {
namespace {

// Writes `p` as JSON to `path` (standard output if empty), after checking it reads back.
void write_platform(const Platform& p, const std::string& path) {
  const std::string json = p.to_json();
  Platform::parse(json, "the platform written");
  if (path.empty()) {
    std::printf("%s", json.c_str());
    return;
  }
  std::ofstream out(path);
  out << json;
  if (!out) throw Error("cannot write '" + path + "'");
  std::fprintf(stderr, "wrote %s: %d workers, %zu task types\n", path.c_str(), p.worker_count(),
               p.task_costs.size());
}

}  // namespace

void add_platform_command(CLI::App& app) {
  CLI::App* command = app.add_subcommand("platform", "list, show or import platform descriptions");
  command->require_subcommand(1);
  add_help_footer(*command, "tessera platform show attila", "docs/cli.md (platform)");

  CLI::App* list = command->add_subcommand("list", "list the built-in platforms");
  add_help_footer(*list, "tessera platform list", "docs/cli.md (platform)");
  list->callback([] {
    for (const std::string& name : Platform::builtin_names()) {
      const Platform p = Platform::builtin(name);
      std::printf("%-10s %s\n", name.c_str(), p.description.c_str());
    }
  });

  auto shown = std::make_shared<std::string>();
  CLI::App* show =
      command->add_subcommand("show", "print a platform (built-in name or file) as JSON");
  show->add_option("platform", *shown, "name or file")->required();
  add_help_footer(*show, "tessera platform show attila > attila.json",
                  "docs/formats.md (platform files)");
  show->callback([shown] { std::printf("%s", Platform::resolve(*shown).to_json().c_str()); });

  auto from_models = std::make_shared<tools::ModelPlatformOptions>();
  auto from_models_out = std::make_shared<std::string>();
  CLI::App* models = command->add_subcommand(
      "from-models",
      "build a platform of this machine from Tessera's calibrated models (after real runs)");
  add_help_footer(*models, "tessera platform from-models --ncpu 2 -o this-machine.json",
                  "docs/simulation.md");
  models->add_option(
      "--dir", from_models->model_dir,
      "model directory (default: $TESSERA_PERFMODEL_DIR or ~/.cache/tessera/perfmodels)");
  models->add_option("--ncpu", from_models->ncpu, "CPU workers of the platform")->required();
  models->add_option("--precision", from_models->precision, "d or s")->capture_default_str();
  models->add_option("--tile", from_models->tile, "reference tile size")->capture_default_str();
  models->add_option("--name", from_models->name, "platform name")->capture_default_str();
  models
      ->add_option("--gemm", from_models->gemm,
                   "model of the gemm type: gemm_nt (Cholesky) or gemm_nn (LU)")
      ->capture_default_str();
  models->add_option("-o,--output", *from_models_out,
                     "write the JSON here instead of standard output");
  models->callback([from_models, from_models_out] {
    write_platform(tools::platform_from_models(*from_models), *from_models_out);
  });

  struct Import {
    std::string dir, machine, out;
  };
  auto import = std::make_shared<Import>();
  CLI::App* cmd = command->add_subcommand(
      "import-starpu", "build a platform from StarPU's perfmodel (version 45) and bus files");
  add_help_footer(*cmd, "tessera platform import-starpu sampling/ sirocco -o sirocco.json",
                  "docs/starpu.md");
  cmd->add_option("sampling-dir", import->dir,
                  "StarPU sampling directory (with codelets/45 and bus/)")
      ->required();
  cmd->add_option("machine", import->machine, "machine name, e.g. sirocco")->required();
  cmd->add_option("-o,--output", import->out, "write the JSON here instead of standard output");
  cmd->callback([import] {
    write_platform(tools::import_starpu_platform(import->dir, import->machine), import->out);
  });
}

}  // namespace tessera::cli
