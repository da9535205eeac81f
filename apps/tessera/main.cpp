// The `tessera` command-line program.
//
// Exit status: 0 on success; 1 for a bad input or a failed run (`tessera: error: ...` on
// stderr); 2 for a usage error found while parsing the command line (an unknown option, a
// missing or malformed value), also with `tessera: error: ...`.

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <tessera/version.hpp>

#include "tessera/commands.hpp"

namespace {

constexpr int kUsageError = 2;

// Unsigned options would read "-1" as 2^64 - 1, and floating ones accept "nan" and "inf":
// refuse both, on every option of every subcommand, before any command sees the value.
void check_numbers(CLI::App& app) {
  const CLI::Validator finite(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str() || *end != '\0') return "";  // not a number: CLI11 says so
        return std::isfinite(v) ? "" : "must be a finite number";
      },
      "", "finite");
  for (CLI::Option* option : app.get_options()) {
    // The type name carries the validators' descriptions after a colon: "FLOAT:POSITIVE".
    const std::string type = option->get_type_name();
    if (type.rfind("UINT", 0) == 0) option->check(tessera::cli::non_negative_number());
    if (type.rfind("FLOAT", 0) == 0) option->check(finite);
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) check_numbers(*sub);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tessera: a task-based runtime for heterogeneous machines"};
  app.set_version_flag("--version", tessera::kVersion);
  app.require_subcommand(1);
  app.footer(
      "Example: tessera sim --dag cholesky:20 --platform attila --sched inspirit\n"
      "Each command's --help has an example; docs/cli.md describes them all. After make, the\n"
      "program is build/bin/tessera.");
  tessera::cli::add_bench_command(app);
  tessera::cli::add_linalg_commands(app);
  tessera::cli::add_lm_command(app);
  tessera::cli::add_logs_command(app);
  tessera::cli::add_platform_command(app);
  tessera::cli::add_policies_command(app);
  tessera::cli::add_run_demo_command(app);
  tessera::cli::add_sim_command(app);
  tessera::cli::add_spamm_command(app);
  tessera::cli::add_train_command(app);
  check_numbers(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
    std::fprintf(stderr, "tessera: error: %s\nRun with --help for more information.\n", e.what());
    return kUsageError;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
