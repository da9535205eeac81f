#pragma once
// Each subcommand of the `tessera` program lives in its own cmd_*.cpp and registers itself
// on the application here.

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <string>

namespace tessera::cli {

// A number that must be >= 0, refused with a short message (CLI::NonNegativeNumber's names
// the largest double in full, 309 digits).
inline CLI::Validator non_negative_number() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        if (end == s.c_str()) return "";  // not a number: the conversion says so
        return v < 0 ? "must not be negative" : "";
      },
      "", "non-negative");
}

// Ends a command's --help with an example line and the doc page that explains it (every
// command has both; tests/apps/cli_help.sh checks), then any further notes.
inline void add_help_footer(CLI::App& command, const std::string& example, const std::string& doc,
                            const std::string& notes = "") {
  command.footer("Example: " + example + "\nDocumented in " + doc +
                 (notes.empty() ? std::string() : "\n" + notes));
}

void add_bench_command(CLI::App& app);
void add_linalg_commands(CLI::App& app);
void add_lm_command(CLI::App& app);
void add_logs_command(CLI::App& app);
// The question-answering subcommands of `tessera logs` (cmd_logs_qa.cpp).
void add_logs_qa_commands(CLI::App& logs);
void add_platform_command(CLI::App& app);
void add_policies_command(CLI::App& app);
void add_run_demo_command(CLI::App& app);
void add_sim_command(CLI::App& app);
void add_spamm_command(CLI::App& app);
// tessera train: training under a memory budget (Mimose), cmd_train.cpp.
void add_train_command(CLI::App& app);

}  // namespace tessera::cli
