// tessera logs: log analytics (docs/logs.md): Drain parsing and its evaluation, anomaly
// detection, replay; question answering is in cmd_logs_qa.cpp.

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include <logs/detect.hpp>
#include <logs/drain.hpp>
#include <logs/replay.hpp>
#include <logs/stream_parse.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

#include "tessera/commands.hpp"
#include "tessera/runtime_options.hpp"

namespace tessera::cli {
namespace {

// The preset, with the options given on the command line laid over it.
struct ParserOptions {
  std::string preset;
  std::string format;
  double similarity = -1;
  int depth = -1;
  bool improved = false;
  void add_to(CLI::App& cmd) {
    cmd.add_option("--preset", preset,
                   "Published Drain settings of a Loghub system (HDFS, BGL, ...)");
    cmd.add_option(
        "--format", format,
        "Log format, e.g. \"<Date> <Time> <Level>: <Content>\" (overrides the preset's)");
    cmd.add_option("--st", similarity, "Similarity threshold in [0, 1] (overrides the preset's)");
    cmd.add_option("--depth", depth, "Tree depth >= 3 (overrides the preset's)");
    cmd.add_flag(
        "--improved", improved,
        "Tessera's improved Drain (generic masks, more delimiters, merging; docs/logs.md)");
  }
  logs::DrainPreset resolve() const {
    logs::DrainPreset p;
    if (!preset.empty()) p = logs::drain_preset(preset);
    if (!format.empty()) p.format = format;
    if (p.format.empty()) throw InvalidArgument("logs: give --preset SYSTEM or --format FORMAT");
    if (similarity >= 0) p.options.similarity = similarity;
    if (depth >= 0) p.options.depth = depth;
    p.options.improved = improved;
    return p;
  }
};

struct ParseCommand {
  ParserOptions parser;
  RuntimeOptions runtime;
  std::string log, out;
  bool templates_only = false;
  bool quiet = false;
};

// Progress on stderr every few seconds (a 20 M-line log takes a while).
void report_progress(const logs::StreamProgress& p) {
  std::fprintf(stderr, "  %llu lines (%.0f MB) in %.1f s: %.0f lines/s\n",
               static_cast<unsigned long long>(p.lines), static_cast<double>(p.bytes) / 1e6,
               p.seconds, static_cast<double>(p.lines) / std::max(p.seconds, 1e-9));
}

void run_parse(const ParseCommand& c) {
  const auto preset = c.parser.resolve();
  std::ifstream log(c.log, std::ios::binary);
  if (!log) throw InvalidArgument("logs parse: cannot open '" + c.log + "'");
  if (logs::looks_binary(log)) {
    throw InvalidArgument("logs parse: '" + c.log + "' is not a text log (it holds NUL bytes)");
  }
  const std::string name = std::filesystem::path(c.log).filename().string();
  std::filesystem::create_directories(c.out);
  const auto base = std::filesystem::path(c.out) / name;
  const std::string ids_path = base.string() + ".clusters";
  logs::StreamParseOptions options;
  if (!c.quiet) {
    options.progress_seconds = 5;
    options.on_progress = report_progress;
  }
  logs::StreamParse parsed;
  {
    std::ofstream ids;
    if (!c.templates_only) {
      ids.open(ids_path, std::ios::binary | std::ios::trunc);
      if (!ids) throw Error("logs parse: cannot write '" + ids_path + "'");
    }
    Runtime rt(c.runtime.to_config());
    parsed = logs::parse_stream(rt, log, preset, c.templates_only ? nullptr : &ids, options);
  }
  if (parsed.lines == parsed.skipped) {
    std::filesystem::remove(ids_path);
    throw InvalidArgument("logs parse: no line of '" + c.log + "' matches the format '" +
                          preset.format + "'" + (parsed.lines == 0 ? " (the log is empty)" : ""));
  }
  std::printf(
      "%llu lines parsed (%llu did not match the format) in %.3f s: %.0f lines/s, %zu "
      "templates (%zu Drain clusters)\n",
      static_cast<unsigned long long>(parsed.lines - parsed.skipped),
      static_cast<unsigned long long>(parsed.skipped), parsed.seconds,
      static_cast<double>(parsed.lines) / std::max(parsed.seconds, 1e-9), parsed.events.size(),
      parsed.event_of_cluster.size());
  std::ofstream templates(base.string() + "_templates.csv", std::ios::binary | std::ios::trunc);
  logs::write_templates(parsed, templates);
  if (!c.templates_only) {
    log.clear();
    log.seekg(0);
    std::ifstream ids(ids_path, std::ios::binary);
    std::ofstream structured(base.string() + "_structured.csv", std::ios::binary | std::ios::trunc);
    logs::write_structured_stream(log, ids, parsed, logs::LogFormat(preset.format), structured);
    ids.close();
    std::filesystem::remove(ids_path);
  }
  std::printf("wrote %s_templates.csv%s\n", base.string().c_str(),
              c.templates_only ? "" : " and _structured.csv");
}

void add_parse(CLI::App& logs) {
  auto c = std::make_shared<ParseCommand>();
  auto* cmd = logs.add_subcommand(
      "parse", "Parse a log with Drain into Loghub's structured and templates CSV files");
  cmd->add_option("--log", c->log, "The log file (any size: it is read in chunks)")->required();
  cmd->add_option("--out", c->out, "Directory for <log>_structured.csv and <log>_templates.csv")
      ->required();
  cmd->add_flag("--templates-only", c->templates_only,
                "Write only <log>_templates.csv (no per-line CSV)");
  cmd->add_flag("--quiet", c->quiet, "No progress lines on stderr");
  c->parser.add_to(*cmd);
  c->runtime.add_to(*cmd);
  add_help_footer(
      *cmd, "tessera logs parse --log data/loghub/HDFS/HDFS_2k.log --preset HDFS --out parsed/",
      "docs/logs.md",
      "Lines are parsed in parallel tasks (--ncpu workers); the result does not depend on the\n"
      "number of workers.");
  cmd->callback([c] { run_parse(*c); });
}

void add_replay(CLI::App& logs) {
  auto from = std::make_shared<std::string>();
  auto structured = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto lines = std::make_shared<std::uint64_t>(0);
  auto seed = std::make_shared<std::uint64_t>(1);
  auto* cmd = logs.add_subcommand(
      "replay", "Write a large log: a sample replayed over and over with fresh variable values");
  cmd->add_option("--from", *from, "The sample log")->required();
  cmd->add_option("--structured", *structured,
                  "Its labelled structured CSV (Loghub's): only the header fields and the "
                  "template's <*> get fresh digits. Without it every digit changes");
  cmd->add_option("--lines", *lines, "Lines to write")
      ->required()
      ->check(CLI::Range(1ULL, 1ULL << 40));
  cmd->add_option("--out", *out, "The output file")->required();
  cmd->add_option("--seed", *seed, "Seed of the random digits (default 1)");
  add_help_footer(*cmd,
                  "tessera logs replay --from data/loghub/BGL/BGL_2k.log "
                  "--structured data/loghub/BGL/BGL_2k.log_structured.csv --lines 20000000 "
                  "--out /tmp/bgl-20M.log",
                  "docs/logs.md");
  cmd->callback([from, structured, out, lines, seed] {
    const auto sample = logs::read_log(*from);
    std::vector<logs::ReplaySpans> spans;
    if (!structured->empty()) {
      std::size_t unmatched = 0;
      spans = logs::variable_spans(sample, *structured, &unmatched);
      if (unmatched > 0) {
        std::fprintf(stderr,
                     "tessera: warning: %zu of %zu sample lines do not fit their template; only "
                     "their header fields change\n",
                     unmatched, sample.size());
      }
    }
    std::ofstream file(*out, std::ios::binary | std::ios::trunc);
    if (!file) throw InvalidArgument("logs replay: cannot write '" + *out + "'");
    logs::replay_log(sample, spans, *lines, *seed, file);
    std::printf("wrote %llu lines to %s\n", static_cast<unsigned long long>(*lines), out->c_str());
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
  add_help_footer(*cmd, "tessera logs eval-parse --log data/loghub/BGL/BGL_2k.log --preset BGL",
                  "docs/logs.md");
  cmd->callback([o, log, labels] {
    const auto preset = o->resolve();
    const auto parsed = logs::parse_lines(logs::read_log(*log), preset);
    const auto acc =
        logs::accuracy_against(parsed, labels->empty() ? *log + "_structured.csv" : *labels);
    std::printf("%zu lines: group accuracy %.4f, parsing accuracy %.4f\n", acc.lines, acc.group,
                acc.parsing);
  });
}

struct DetectCommand {
  ParserOptions parser;
  RuntimeOptions runtime;
  std::string log, train, test, out;
  std::string window = "count:20";
  std::string split = "0.6,0.2";
  logs::EventFields fields;
  logs::DetectOptions detect;
  bool quiet = false;
};

std::pair<double, double> parse_split(const std::string& text) {
  const auto comma = text.find(',');
  try {
    std::size_t used = 0;
    const double train = std::stod(text.substr(0, comma), &used);
    const double valid = comma == std::string::npos ? 0 : std::stod(text.substr(comma + 1));
    return {train, valid};
  } catch (const std::exception&) {
    throw InvalidArgument("--split '" + text + "': give TRAIN,VALID fractions, e.g. 0.6,0.2");
  }
}

void run_detect(DetectCommand& c, const CLI::App& cmd) {
  if (c.detect.method != "llm") {
    for (const char* llm_option : {"--endpoint", "--model", "--api-key-env", "--llm-timeout",
                                   "--llm-retries", "--llm-rate", "--llm-cache"}) {
      if (cmd.count(llm_option) > 0) {
        throw InvalidArgument(std::string("logs detect: ") + llm_option +
                              " is an option of --method llm (the method is " + c.detect.method +
                              ")");
      }
    }
  }
  const auto preset = c.parser.resolve();
  c.detect.window = logs::WindowSpec::parse(c.window);
  if (c.log.empty() == (c.train.empty() || c.test.empty())) {
    throw InvalidArgument("logs detect: give either --log (split in time) or --train and --test");
  }
  std::vector<std::string> lines;
  std::size_t train_file_lines = 0;
  logs::Split split;
  if (!c.log.empty()) {
    lines = logs::read_log(c.log);
  } else {
    // Train and test logs are parsed together (Drain needs no labels); the test log's
    // lines come last, and the last part of the training log validates.
    lines = logs::read_log(c.train);
    train_file_lines = lines.size();
    auto test = logs::read_log(c.test);
    lines.insert(lines.end(), test.begin(), test.end());
  }
  const auto log = logs::event_log(lines, preset, c.fields);
  if (log.size() == 0) {
    throw InvalidArgument("logs detect: no line matches the format '" + preset.format + "'");
  }
  const auto [train_fraction, valid_fraction] = parse_split(c.split);
  if (!c.log.empty()) {
    split = logs::chronological_split(log.size(), train_fraction, valid_fraction);
  } else {
    // The training log is split into train and validation at the same ratio.
    std::size_t train_lines = 0;
    while (train_lines < log.size() && log.line_ids[train_lines] <= train_file_lines) ++train_lines;
    const double share = train_fraction / (train_fraction + valid_fraction);
    split.train = static_cast<std::size_t>(share * static_cast<double>(train_lines));
    split.valid = train_lines;
    split.size = log.size();
  }
  if (!c.quiet) {
    c.detect.sequence.on_step = [](std::int64_t step, double loss) {
      std::fprintf(stderr, "  step %lld: loss %.4f\n", static_cast<long long>(step), loss);
    };
  }
  Runtime rt(c.runtime.to_config());
  const auto report = logs::detect(rt, log, split, c.detect);
  std::printf("%s over %s windows: %zu train (%zu normal), %zu validation, %zu test; %zu events\n",
              report.method.c_str(), c.detect.window.describe().c_str(), report.train_windows,
              report.normal_train_windows, report.valid_windows, report.test_windows,
              log.templates.size());
  if (report.top_k > 0) {
    std::printf("top-k %zu (%s)\n", report.top_k,
                c.detect.top_k > 0 ? "given" : "best F1 on the validation windows");
  }
  if (report.method == "llm") {
    std::printf(
        "llm: %zu requests (%zu retries), %zu cached; %zu malformed answers and %zu "
        "failed windows judged normal\n",
        report.llm.requests, report.llm.retries, report.llm.cache_hits, report.malformed_answers,
        report.failed_windows);
  }
  if (log.labelled()) {
    const auto& t = report.test;
    std::printf(
        "test: precision %.4f recall %.4f F1 %.4f (tp %zu fp %zu fn %zu tn %zu); "
        "validation F1 %.4f\n",
        t.precision(), t.recall(), t.f1(), t.tp, t.fp, t.fn, t.tn, report.valid.f1());
  }
  if (!c.out.empty()) {
    std::ofstream out(c.out, std::ios::binary | std::ios::trunc);
    if (!out) throw InvalidArgument("logs detect: cannot write '" + c.out + "'");
    logs::write_verdicts(report, out);
    std::printf("wrote %zu line verdicts to %s\n", report.lines.size(), c.out.c_str());
  }
}

void add_detect(CLI::App& logs) {
  auto c = std::make_shared<DetectCommand>();
  auto* cmd = logs.add_subcommand("detect", "Anomaly detection over windows of parsed log lines");
  cmd->add_option("--log", c->log, "A log split in time into train, validation and test parts");
  cmd->add_option("--train", c->train, "A training log (its last part validates)");
  cmd->add_option("--test", c->test, "A test log, judged line by line");
  cmd->add_option("--method", c->detect.method, "pca, deeplog, loglm or llm (default loglm)")
      ->check(CLI::IsMember({"pca", "deeplog", "loglm", "llm"}));
  auto& llm = c->detect.llm;
  cmd->add_option("--endpoint", llm.url,
                  "llm: an OpenAI-compatible API root, e.g. http://127.0.0.1:8080/v1");
  cmd->add_option("--model", llm.model, "llm: the model name sent to the endpoint");
  cmd->add_option("--api-key-env", llm.api_key_env,
                  "llm: environment variable with the API key (default OPENAI_API_KEY)");
  cmd->add_option("--llm-timeout", llm.timeout_seconds, "llm: seconds per request (default 60)")
      ->check(CLI::Range(0.001, 86400.0));
  cmd->add_option("--llm-retries", llm.retries, "llm: retries per request (default 3)")
      ->check(CLI::Range(0, 100));
  cmd->add_option("--llm-rate", llm.requests_per_second,
                  "llm: at most this many requests per second (default 0: no limit)")
      ->check(CLI::Range(0.0, 1e6));
  cmd->add_option(
      "--llm-cache", llm.cache_path,
      "llm: a JSON-lines file of answers, read and extended (reruns ask nothing twice)");
  cmd->add_option("--window", c->window,
                  "count:SIZE[,STEP] or time:SECONDS[,STEP] (default count:20)");
  cmd->add_option("--split", c->split, "Train and validation fractions of --log (default 0.6,0.2)");
  cmd->add_option("--top-k", c->detect.top_k,
                  "Top-k of deeplog/loglm; 0 (default): best F1 on the validation windows");
  cmd->add_option("--time-field", c->fields.time,
                  "Format field with Unix seconds (BGL: Timestamp)");
  cmd->add_option("--label-field", c->fields.label, "Format field with the label (BGL: Label)");
  cmd->add_option("--normal", c->fields.normal, "Label value of normal lines (default \"-\")");
  cmd->add_option("--steps", c->detect.sequence.steps, "Training steps (default 300)")
      ->check(CLI::Range(1, 1000000));
  cmd->add_option("--seed", c->detect.sequence.seed, "Seed of the sequence models (default 1)");
  cmd->add_option("--out", c->out, "CSV of per-line verdicts: LineId,Anomalous,Window,Score");
  cmd->add_flag("--quiet", c->quiet, "No training progress on stderr");
  c->parser.add_to(*cmd);
  c->runtime.add_to(*cmd);
  add_help_footer(
      *cmd,
      "tessera logs detect --log data/loghub/BGL/BGL_2k.log --preset BGL \\\n"
      "           --label-field Label --time-field Timestamp --window time:60,30 --method pca",
      "docs/logs.md",
      "Precision, recall and F1 are over test windows (a window is anomalous when a line of it\n"
      "is labelled so); --out writes each test line's verdict for scoring with other tools.\n"
      "LLM prompting (LogGPT): --method llm --endpoint http://127.0.0.1:8080/v1 --model NAME\n"
      "(the key, if the server needs one, in $OPENAI_API_KEY).");
  cmd->callback([c, cmd] { run_detect(*c, *cmd); });
}

}  // namespace

void add_logs_command(CLI::App& app) {
  auto* logs = app.add_subcommand(
      "logs",
      "Log analytics: parse (Drain), eval-parse, detect, replay, index, ask, eval-qa, train-qa");
  logs->require_subcommand(1);
  add_help_footer(
      *logs, "tessera logs parse --log data/loghub/HDFS/HDFS_2k.log --preset HDFS --out parsed/",
      "docs/logs.md");
  add_parse(*logs);
  add_replay(*logs);
  add_detect(*logs);
  add_eval_parse(*logs);
  add_logs_qa_commands(*logs);
}

}  // namespace tessera::cli
