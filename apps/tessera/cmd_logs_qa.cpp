// tessera logs index|ask|eval-qa|train-qa: question answering over raw logs (LogQA;
// docs/logs.md).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <numeric>
#include <string>
#include <vector>

#include <logs/log_qa.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

#include "tessera/commands.hpp"
#include "tessera/runtime_options.hpp"

namespace tessera::cli {
namespace {

using Clock = std::chrono::steady_clock;

// Where the questions are asked: a log indexed now (in memory) or an index built before.
struct CorpusOptions {
  std::string logs;
  std::string index;
  std::string system;
  RuntimeOptions runtime;
  void add_to(CLI::App& cmd) {
    cmd.add_option("--logs", logs, "The raw log file (indexed in memory)");
    cmd.add_option("--index", index,
                   "An index written by `tessera logs index` (instead of --logs)");
    cmd.add_option(
        "--system", system,
        "Loghub system of the log's format (default: from the file name, e.g. HDFS_2k.log)");
    runtime.add_to(cmd);
  }
  logs::LogIndex open(bool quiet) const {
    if (logs.empty() == index.empty())
      throw InvalidArgument("logs: give --logs FILE or --index DIR (one of them)");
    if (!index.empty()) return logs::LogIndex::open(index);
    return build(logs, "", quiet);
  }
  logs::LogIndex build(const std::string& file, const std::string& directory, bool quiet) const {
    logs::LogIndexOptions options;
    options.preset = logs::preset_for_log(file, system);
    Runtime rt(runtime.to_config());
    const auto start = Clock::now();
    auto built = logs::LogIndex::build(rt, file, directory, options);
    if (!quiet) {
      std::fprintf(stderr, "indexed %llu lines of %s%s in %.2f s\n",
                   static_cast<unsigned long long>(built.lines()), file.c_str(),
                   options.preset.system.empty()
                       ? " (no known format: whole lines)"
                       : (" (format of " + options.preset.system + ")").c_str(),
                   std::chrono::duration<double>(Clock::now() - start).count());
    }
    return built;
  }
};

struct ReaderOptions {
  std::string reader = "slots";
  std::string model;
  std::size_t read_lines = 0;
  void add_to(CLI::App& cmd) {
    cmd.add_option("--reader", reader,
                   "slots (learned slot ranker, default) or first-variable (baseline)")
        ->check(CLI::IsMember({"slots", "first-variable"}));
    cmd.add_option("--model", model,
                   "The slot reader's model (default: data/models/logqa-slots.json)");
    cmd.add_option(
           "--read-lines", read_lines,
           "Retrieved lines the reader reads (default: the model's choice; 1 for first-variable)")
        ->check(CLI::Range(1, 100));
  }
  // The reader, and how many lines it reads.
  std::pair<logs::LogReader, std::size_t> make() const {
    if (reader == "first-variable")
      return {logs::first_variable_reader(), std::max<std::size_t>(read_lines, 1)};
    const std::string path = model.empty() ? logs::default_slot_model() : model;
    auto loaded = std::make_shared<logs::SlotReader>(logs::SlotReader::load(path));
    const auto lines =
        read_lines > 0 ? read_lines : static_cast<std::size_t>(loaded->options().read_lines);
    return {logs::slot_reader(std::move(loaded)), lines};
  }
};

void add_index(CLI::App& logs) {
  auto c = std::make_shared<CorpusOptions>();
  auto* cmd = logs.add_subcommand(
      "index", "Build a BM25 index of a log's lines for `logs ask` and `eval-qa`");
  cmd->add_option("--logs", c->logs, "The raw log file (any size)")->required();
  cmd->add_option("--index", c->index, "Directory of the index (replaced if it holds one)")
      ->required();
  cmd->add_option("--system", c->system,
                  "Loghub system of the log's format (default: from the file name)");
  c->runtime.add_to(*cmd);
  add_help_footer(*cmd,
                  "tessera logs index --logs data/loghub/HDFS/HDFS_2k.log --index /tmp/hdfs.idx",
                  "docs/logs.md");
  cmd->callback([c] {
    const auto index = c->build(c->logs, c->index, false);
    std::printf("wrote the index of %llu lines to %s\n",
                static_cast<unsigned long long>(index.lines()), c->index.c_str());
  });
}

void add_ask(CLI::App& logs) {
  auto c = std::make_shared<CorpusOptions>();
  auto r = std::make_shared<ReaderOptions>();
  auto question = std::make_shared<std::string>();
  auto top = std::make_shared<std::size_t>(3);
  auto* cmd =
      logs.add_subcommand("ask", "Answer a question from a log: the answer, its line and a score");
  c->add_to(*cmd);
  r->add_to(*cmd);
  cmd->add_option("--question", *question, "The question")->required();
  cmd->add_option("--top", *top, "Retrieved lines to show (default 3)")->check(CLI::Range(1, 100));
  add_help_footer(
      *cmd,
      "tessera logs ask --logs data/loghub/HDFS/HDFS_2k.log \\\n"
      "           --question \"What is the status of the block blk_-6369730481066968769?\"",
      "docs/logs.md");
  cmd->callback([c, r, question, top] {
    const auto index = c->open(false);
    const auto [reader, read_lines] = r->make();
    const auto a = logs::ask(index, reader, *question, *top, read_lines);
    if (a.hits.empty()) {
      std::printf("no line of the log shares a term with the question\n");
      return;
    }
    std::printf("answer: %s\nscore: %.4f\nline %llu: %s\n", a.answer.c_str(), a.score,
                static_cast<unsigned long long>(a.line->line + 1), a.line->text.c_str());
    for (std::size_t i = 1; i < a.hits.size(); ++i) {
      std::printf("  also line %llu (BM25 %.3f): %s\n",
                  static_cast<unsigned long long>(a.hits[i].line + 1), a.hits[i].score,
                  index.line(a.hits[i].line).text.c_str());
    }
  });
}

logs::QaFile read_qa_reporting(const std::string& path) {
  auto file = logs::read_qa_file(path);
  for (const auto& s : file.skipped)
    std::fprintf(stderr, "tessera: warning: skipped %s\n", s.c_str());
  return file;
}

void add_eval_qa(CLI::App& logs) {
  auto c = std::make_shared<CorpusOptions>();
  auto r = std::make_shared<ReaderOptions>();
  auto qa = std::make_shared<std::string>();
  auto predictions = std::make_shared<std::string>();
  auto* cmd = logs.add_subcommand(
      "eval-qa",
      "Exact match, token F1 and retriever recall of log question answering on a QA file");
  c->add_to(*cmd);
  r->add_to(*cmd);
  cmd->add_option("--qa", *qa, "Questions, one JSON object a line: Question, Answer, RawLog")
      ->required();
  cmd->add_option("--predictions", *predictions,
                  "Write each question's prediction and retrieved lines here (JSON lines)");
  add_help_footer(
      *cmd,
      "tessera logs eval-qa --logs data/loghub/HDFS/HDFS_2k.log --qa data/logqa/HDFS/qa.val.jsonl "
      "\\\n"
      "           --predictions /tmp/hdfs-val.jsonl",
      "docs/logs.md",
      "Invalid lines of the QA file are skipped with a warning naming them; the metrics are\n"
      "over the valid ones.");
  cmd->callback([c, r, qa, predictions] {
    const auto file = read_qa_reporting(*qa);
    const auto index = c->open(false);
    const auto [reader, read_lines] = r->make();
    const auto report = logs::evaluate_qa(index, reader, file.examples, read_lines);
    std::printf(
        "%zu questions (%zu lines skipped, %zu matched no line of the log), reader %s reading %zu "
        "line(s)\n",
        report.questions, file.skipped.size(), report.no_match, r->reader.c_str(), read_lines);
    std::printf(
        "exact match %.2f%%  F1 %.2f%%  retriever recall@1 %.2f%%  @5 %.2f%%  @10 %.2f%%  "
        "%.2f ms per question\n",
        100 * report.exact_match, 100 * report.f1, 100 * report.recall_at_1,
        100 * report.recall_at_5, 100 * report.recall_at_10, 1e3 * report.mean_seconds);
    if (!predictions->empty()) {
      std::ofstream out(*predictions, std::ios::binary | std::ios::trunc);
      if (!out) throw InvalidArgument("logs eval-qa: cannot write '" + *predictions + "'");
      logs::write_predictions(report, index, out);
      std::printf("wrote %zu predictions to %s\n", report.predictions.size(), predictions->c_str());
    }
  });
}

struct TrainQaCommand {
  std::vector<std::string> logs, qa;
  std::string system, out;
  std::vector<int> rounds = {100, 300};
  std::vector<int> depths = {4, 6};
  std::vector<int> read_lines = {1, 3, 5};
  double eta = 0.1;
  std::size_t folds = 4;
  RuntimeOptions runtime;
};

// Exact match of a reader trained on the other folds, over every fold (examples of fold f
// are those with index % folds == f).
double cross_validated_em(const std::vector<logs::ReadingExample>& examples,
                          const logs::SlotReaderOptions& o, std::size_t folds) {
  double hits = 0;
  for (std::size_t f = 0; f < folds; ++f) {
    std::vector<logs::ReadingExample> train, held;
    for (std::size_t i = 0; i < examples.size(); ++i)
      (i % folds == f ? held : train).push_back(examples[i]);
    const auto reader = logs::SlotReader::train(train, o);
    for (const auto& ex : held)
      hits += logs::exact_match(reader.read(ex.question, ex.content, ex.event).text, ex.answer);
  }
  return hits / static_cast<double>(examples.size());
}

// The same for whole answers: retrieval, then reading `options.read_lines` lines with a
// reader trained on the other folds. qa[i] is examples[i]'s question, on indexes[system[i]].
double cross_validated_answers(const std::vector<logs::ReadingExample>& examples,
                               const std::vector<logs::QaExample>& qa,
                               const std::vector<std::size_t>& system,
                               const std::vector<logs::LogIndex>& indexes,
                               const logs::SlotReaderOptions& o, std::size_t folds) {
  double hits = 0;
  for (std::size_t f = 0; f < folds; ++f) {
    std::vector<logs::ReadingExample> train;
    for (std::size_t i = 0; i < examples.size(); ++i) {
      if (i % folds != f) train.push_back(examples[i]);
    }
    const auto reader =
        logs::slot_reader(std::make_shared<logs::SlotReader>(logs::SlotReader::train(train, o)));
    for (std::size_t i = f; i < examples.size(); i += folds) {
      const auto a = logs::ask(indexes[system[i]], reader, qa[i].question, 10,
                               static_cast<std::size_t>(o.read_lines));
      hits += logs::exact_match(a.answer, qa[i].answer);
    }
  }
  return hits / static_cast<double>(examples.size());
}

void run_train_qa(const TrainQaCommand& c) {
  if (c.logs.size() != c.qa.size()) {
    throw InvalidArgument("logs train-qa: give one --logs per --qa (" +
                          std::to_string(c.logs.size()) + " and " + std::to_string(c.qa.size()) +
                          ")");
  }
  std::vector<logs::ReadingExample> examples;
  std::vector<logs::QaExample> questions;
  std::vector<std::size_t> system;
  std::vector<logs::LogIndex> indexes;
  for (std::size_t i = 0; i < c.logs.size(); ++i) {
    const auto file = read_qa_reporting(c.qa[i]);
    logs::LogIndexOptions options;
    options.preset = logs::preset_for_log(c.logs[i], c.system);
    Runtime rt(c.runtime.to_config());
    indexes.push_back(logs::LogIndex::build(rt, c.logs[i], "", options));
    std::size_t unmatched = 0;
    auto part = logs::reading_examples(indexes.back(), file.examples, &unmatched);
    questions.insert(questions.end(), file.examples.begin(), file.examples.end());
    system.insert(system.end(), part.size(), i);
    std::fprintf(stderr, "%s: %zu questions (%zu whose RawLog is in no line of %s)\n",
                 c.qa[i].c_str(), part.size(), unmatched, c.logs[i].c_str());
    examples.insert(examples.end(), part.begin(), part.end());
  }
  if (c.folds < 2 || c.folds > examples.size())
    throw InvalidArgument("logs train-qa: --folds must be in [2, questions]");
  logs::SlotReaderOptions best;
  double best_em = -1;
  for (int depth : c.depths) {
    for (int rounds : c.rounds) {
      logs::SlotReaderOptions o{rounds, depth, c.eta, 1};
      const double em = cross_validated_em(examples, o, c.folds);
      std::fprintf(stderr, "  depth %d, %d rounds: %zu-fold cross-validated exact match %.2f%%\n",
                   depth, rounds, c.folds, 100 * em);
      if (em > best_em) best_em = em, best = o;
    }
  }
  double best_answers = -1;
  int best_lines = 1;
  for (int lines : c.read_lines) {
    auto o = best;
    o.read_lines = lines;
    const double em = cross_validated_answers(examples, questions, system, indexes, o, c.folds);
    std::fprintf(
        stderr,
        "  reading %d retrieved line(s): %zu-fold cross-validated answer exact match %.2f%%\n",
        lines, c.folds, 100 * em);
    if (em > best_answers) best_answers = em, best_lines = lines;
  }
  best.read_lines = best_lines;
  std::size_t usable = 0;
  const auto reader = logs::SlotReader::train(examples, best, &usable);
  reader.save(c.out);
  std::printf(
      "trained the slot reader on %zu questions (%zu with their answer among the candidates); "
      "chose depth "
      "%d, %d rounds (cross-validated exact match %.2f%% on gold lines), reading %d line(s) "
      "(%.2f%% on retrieved lines); wrote %s\n",
      examples.size(), usable, best.depth, best.rounds, 100 * best_em, best.read_lines,
      100 * best_answers, c.out.c_str());
}

void add_train_qa(CLI::App& logs) {
  auto c = std::make_shared<TrainQaCommand>();
  auto* cmd = logs.add_subcommand("train-qa",
                                  "Train the slot reader of `logs ask` on QA files (train splits)");
  cmd->add_option("--logs", c->logs, "A log file per QA file (repeat)")->required();
  cmd->add_option("--qa", c->qa, "A QA file (JSON lines) per log (repeat)")->required();
  cmd->add_option("--out", c->out, "The model file to write")->required();
  cmd->add_option("--system", c->system,
                  "Loghub system of every log's format (default: from the file names)");
  cmd->add_option("--rounds", c->rounds, "Boosting rounds to choose from (default 100 300)")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--depth", c->depths, "Tree depths to choose from (default 4 6)")
      ->check(CLI::Range(1, 16));
  cmd->add_option("--read-lines", c->read_lines,
                  "Retrieved lines to read, to choose from (default 1 3 5)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--eta", c->eta, "Learning rate (default 0.1)")->check(CLI::Range(1e-6, 1.0));
  cmd->add_option("--folds", c->folds,
                  "Cross-validation folds on the training questions (default 4)");
  c->runtime.add_to(*cmd);
  add_help_footer(
      *cmd,
      "tessera logs train-qa --logs data/loghub/HDFS/HDFS_2k.log --qa "
      "data/logqa/HDFS/qa.train.jsonl \\\n"
      "           --out /tmp/slots.json",
      "docs/logs.md",
      "Settings are chosen by cross-validation on the training questions only; the model\n"
      "is then trained on all of them.");
  cmd->callback([c] { run_train_qa(*c); });
}

}  // namespace

void add_logs_qa_commands(CLI::App& logs) {
  add_index(logs);
  add_ask(logs);
  add_eval_qa(logs);
  add_train_qa(logs);
}

}  // namespace tessera::cli
