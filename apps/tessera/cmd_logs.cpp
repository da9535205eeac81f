// tessera logs: log analytics (docs/logs.md). Part 1: Drain parsing and its evaluation.

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include <logs/drain.hpp>
#include <tessera/error.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {
namespace {

// The preset, with the options given on the command line laid over it.
struct ParserOptions {
  std::string preset;
  std::string format;
  double similarity = -1;
  int depth = -1;
  void add_to(CLI::App& cmd) {
    cmd.add_option("--preset", preset,
                   "Published Drain settings of a Loghub system (HDFS, BGL, ...)");
    cmd.add_option(
        "--format", format,
        "Log format, e.g. \"<Date> <Time> <Level>: <Content>\" (overrides the preset's)");
    cmd.add_option("--st", similarity, "Similarity threshold in [0, 1] (overrides the preset's)");
    cmd.add_option("--depth", depth, "Tree depth >= 3 (overrides the preset's)");
  }
  logs::DrainPreset resolve() const {
    logs::DrainPreset p;
    if (!preset.empty()) p = logs::drain_preset(preset);
    if (!format.empty()) p.format = format;
    if (p.format.empty()) throw InvalidArgument("logs: give --preset SYSTEM or --format FORMAT");
    if (similarity >= 0) p.options.similarity = similarity;
    if (depth >= 0) p.options.depth = depth;
    return p;
  }
};

void add_parse(CLI::App& logs) {
  auto o = std::make_shared<ParserOptions>();
  auto log = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* cmd = logs.add_subcommand(
      "parse", "Parse a log with Drain into Loghub's structured and templates CSV files");
  cmd->add_option("--log", *log, "The log file")->required();
  cmd->add_option("--out", *out, "Directory for <log>_structured.csv and <log>_templates.csv")
      ->required();
  o->add_to(*cmd);
  cmd->footer(
      "Example: tessera logs parse --log data/loghub/HDFS/HDFS_2k.log --preset HDFS --out parsed/");
  cmd->callback([o, log, out] {
    const auto preset = o->resolve();
    const auto start = std::chrono::steady_clock::now();
    const auto lines = logs::read_log(*log);
    const auto parsed = logs::parse_lines(lines, preset);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (parsed.templates.empty()) {
      throw InvalidArgument("logs parse: no line of '" + *log + "' matches the format '" +
                            preset.format + "'");
    }
    const std::string name = std::filesystem::path(*log).filename().string();
    logs::write_structured(parsed, *out, name);
    std::printf(
        "%zu lines parsed (%zu did not match the format) in %.3f s; wrote %s/%s_structured.csv and "
        "_templates.csv\n",
        parsed.templates.size(), parsed.skipped, seconds, out->c_str(), name.c_str());
  });
}

void add_eval_parse(CLI::App& logs) {
  auto o = std::make_shared<ParserOptions>();
  auto log = std::make_shared<std::string>();
  auto labels = std::make_shared<std::string>();
  auto* cmd = logs.add_subcommand("eval-parse",
                                  "Group and parsing accuracy of Drain against labelled templates");
  cmd->add_option("--log", *log, "The log file")->required();
  cmd->add_option(
      "--labels", *labels,
      "Its labelled structured CSV (EventId, EventTemplate columns); default <log>_structured.csv");
  o->add_to(*cmd);
  cmd->footer(
      "Example: tessera logs eval-parse --log ../shared/data/loghub/BGL/BGL_2k.log --preset BGL");
  cmd->callback([o, log, labels] {
    const auto preset = o->resolve();
    const auto parsed = logs::parse_lines(logs::read_log(*log), preset);
    const auto acc =
        logs::accuracy_against(parsed, labels->empty() ? *log + "_structured.csv" : *labels);
    std::printf("%zu lines: group accuracy %.4f, parsing accuracy %.4f\n", acc.lines, acc.group,
                acc.parsing);
  });
}

}  // namespace

void add_logs_command(CLI::App& app) {
  auto* logs = app.add_subcommand("logs", "Log analytics: parse (Drain), eval-parse");
  logs->require_subcommand(1);
  add_parse(*logs);
  add_eval_parse(*logs);
}

}  // namespace tessera::cli
