// tessera lm: language models on the LibTorch layer (docs/learning.md): make a corpus,
// train, score text, generate.

#include <cstdio>
#include <string>

#include <lm/lm_jobs.hpp>
#include <tessera/error.hpp>
#include <tessera/nn/corpus.hpp>

#include "tessera/commands.hpp"
#include "tessera/runtime_options.hpp"

namespace tessera::cli {
namespace {

std::string clock_text(double seconds) {
  const auto s = static_cast<long long>(seconds + 0.5);
  char out[32];
  if (s >= 3600) {
    std::snprintf(out, sizeof out, "%lld:%02lld:%02lld", s / 3600, (s / 60) % 60, s % 60);
  } else {
    std::snprintf(out, sizeof out, "%lld:%02lld", s / 60, s % 60);
  }
  return out;
}

void add_corpus(CLI::App& lm) {
  struct Options {
    std::string source;
    std::string out;
  };
  auto o = std::make_shared<Options>();
  auto* cmd =
      lm.add_subcommand("corpus", "Split a text source into train.txt, valid.txt and test.txt");
  cmd->add_option("--source", o->source,
                  "kjv (Debian's bible-kjv), logs (every Loghub sample in data/loghub), "
                  "logs:<System>, or a text file with one document a line")
      ->required();
  cmd->add_option("--out", o->out, "Directory to write the three splits into")->required();
  add_help_footer(*cmd, "tessera lm corpus --source kjv --out corpora/kjv", "docs/learning.md");
  cmd->callback([o] {
    const auto splits = nn::load_source(o->source, nn::default_data_dir());
    nn::write_splits(splits, o->out);
    std::printf("%s: %zu train, %zu valid, %zu test lines in %s\n", o->source.c_str(),
                splits.train.size(), splits.valid.size(), splits.test.size(), o->out.c_str());
  });
}

void add_train(CLI::App& lm) {
  auto runtime = std::make_shared<RuntimeOptions>();
  auto job = std::make_shared<lm::TrainJob>();
  auto out = std::make_shared<std::string>();
  auto log = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = lm.add_subcommand("train", "Train a decoder language model as a task graph");
  cmd->add_option(
         "--corpus", job->corpus,
         "A directory from `tessera lm corpus`, or a source: kjv, logs, logs:<System>, a file")
      ->required();
  cmd->add_option("--model", job->size,
                  "Model size: tiny, small, medium or large (tessera lm sizes)")
      ->capture_default_str();
  cmd->add_option("--steps", job->steps, "Optimizer steps")->capture_default_str();
  cmd->add_option("--batch", job->batch, "Windows per step")->capture_default_str();
  cmd->add_option("--micro-batches", job->micro_batches,
                  "Forward/backward task pairs per step (0: one per CPU worker)")
      ->capture_default_str();
  cmd->add_option("--seq", job->sequence, "Window length in tokens (0: the model's context)")
      ->capture_default_str();
  cmd->add_option("--lr", job->learning_rate,
                  "Peak learning rate (AdamW, warm-up then cosine decay)")
      ->capture_default_str();
  cmd->add_option("--warmup", job->warmup, "Warm-up steps")->capture_default_str();
  cmd->add_option("--vocab", job->vocab, "Tokenizer vocabulary when one is trained")
      ->capture_default_str();
  cmd->add_option("--tokenizer-from", job->tokenizer_from,
                  "Reuse the tokenizer of this model file (models that must share a vocabulary)");
  cmd->add_option("--seed", job->seed, "Seed of the initialization, the sampling and the tokenizer")
      ->capture_default_str();
  cmd->add_option("--eval-lines", job->eval_lines, "Validation lines scored at the end (0: all)")
      ->capture_default_str();
  cmd->add_option("--eval-every", job->eval_every, "Also score validation every N steps (0: never)")
      ->capture_default_str();
  cmd->add_option("--time-budget", job->time_budget,
                  "Stop after this many seconds of training (0: no limit)")
      ->capture_default_str();
  cmd->add_option("--out", *out, "Model file to write")->required();
  cmd->add_option("--log", *log, "CSV of step, seconds, tokens, loss, lr, valid_perplexity");
  cmd->add_flag("--quiet", *quiet, "No progress line");
  runtime->add_to(*cmd);
  add_help_footer(
      *cmd, "tessera lm train --corpus kjv --model small --steps 400 --out models/kjv-small.lm",
      "docs/learning.md", "Progress (stderr): step, loss, tokens/s, time spent and left.");
  cmd->callback([runtime, job, out, log, quiet] {
    job->out = *out;
    job->log = *log;
    Runtime rt(runtime->to_config());
    double last_print = -1;
    const auto report = lm::train(rt, *job, [&](const lm::TrainProgress& p) {
      if (*quiet) return;
      const bool last = p.step == p.steps;
      if (!last && p.seconds - last_print < 2.0 && p.valid_perplexity == 0) return;
      last_print = p.seconds;
      const double left =
          p.seconds / static_cast<double>(p.step) * static_cast<double>(p.steps - p.step);
      std::fprintf(stderr, "step %lld/%lld  loss %.4f  %.0f tokens/s  %s spent, %s left",
                   static_cast<long long>(p.step), static_cast<long long>(p.steps), p.loss,
                   p.tokens_per_second, clock_text(p.seconds).c_str(), clock_text(left).c_str());
      if (p.valid_perplexity > 0) std::fprintf(stderr, "  valid ppl %.2f", p.valid_perplexity);
      std::fprintf(stderr, "\n");
    });
    std::printf(
        "trained %s (%.2f M parameters) on %s: %lld steps, %lld tokens in %.1f s (%.0f tokens/s)\n",
        job->size.c_str(), static_cast<double>(report.parameters) / 1e6, job->corpus.c_str(),
        static_cast<long long>(report.steps), static_cast<long long>(report.tokens), report.seconds,
        report.tokens_per_second);
    if (report.valid_perplexity > 0) {
      std::printf("final training loss %.4f; validation loss %.4f, perplexity %.2f\n",
                  report.final_loss, report.valid_loss, report.valid_perplexity);
    } else {
      std::printf("final training loss %.4f; validation: n/a (the corpus has no validation line)\n",
                  report.final_loss);
    }
    std::printf("wrote %s\n", out->c_str());
  });
}

void add_eval(CLI::App& lm) {
  auto runtime = std::make_shared<RuntimeOptions>();
  struct Options {
    std::string model, corpus, text, split = "test", predictions;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = lm.add_subcommand("eval", "Perplexity of a model on text, one line a sequence");
  cmd->add_option("--model", o->model, "Model file")->required();
  auto* text = cmd->add_option("--text", o->text, "A text file, one line a sequence");
  auto* corpus =
      cmd->add_option("--corpus", o->corpus, "A corpus (directory or source) and --split");
  text->excludes(corpus);
  cmd->add_option("--split", o->split, "With --corpus: train, valid or test")
      ->capture_default_str();
  cmd->add_option("--predictions", o->predictions, "CSV of line, tokens, nats, nats_per_token");
  runtime->add_to(*cmd);
  add_help_footer(*cmd, "tessera lm eval --model models/kjv-small.lm --corpus kjv --split test",
                  "docs/learning.md");
  cmd->callback([runtime, o] {
    if (o->text.empty() == o->corpus.empty())
      throw InvalidArgument("lm eval: give --text FILE or --corpus C");
    const auto lines = o->text.empty() ? lm::split_of(lm::load_corpus(o->corpus), o->split)
                                       : nn::read_lines(o->text);
    Runtime rt(runtime->to_config());
    const auto r = lm::score(rt, o->model, lines, o->predictions);
    std::printf("%lld lines, %lld tokens: loss %.4f nats/token, perplexity %.3f\n",
                static_cast<long long>(r.lines), static_cast<long long>(r.tokens), r.loss,
                r.perplexity);
    if (!o->predictions.empty()) std::printf("wrote %s\n", o->predictions.c_str());
  });
}

void add_generate(CLI::App& lm) {
  auto runtime = std::make_shared<RuntimeOptions>();
  auto job = std::make_shared<lm::GenerateJob>();
  auto model = std::make_shared<std::string>();
  auto* cmd = lm.add_subcommand("generate", "Continue a prompt (greedy, temperature, top-k)");
  cmd->add_option("--model", *model, "Model file")->required();
  cmd->add_option("--prompt", job->prompt, "Text to continue")->required();
  cmd->add_option("--tokens", job->tokens, "Most tokens to add (stops at the end of a line)")
      ->capture_default_str();
  cmd->add_option("--temperature", job->temperature, "0: greedy")->capture_default_str();
  cmd->add_option("--top-k", job->top_k, "Sample among the k most likely tokens (0: all)")
      ->capture_default_str();
  cmd->add_option("--seed", job->seed, "Sampling seed")->capture_default_str();
  runtime->add_to(*cmd);
  add_help_footer(*cmd,
                  "tessera lm generate --model models/kjv-small.lm --prompt \"And God said\" "
                  "--temperature 0.8 --top-k 40",
                  "docs/learning.md");
  cmd->callback([runtime, job, model] {
    job->model = *model;
    Runtime rt(runtime->to_config());
    std::printf("%s%s\n", job->prompt.c_str(), lm::generate(rt, *job).c_str());
  });
}

}  // namespace

void add_lm_command(CLI::App& app) {
  auto* lm = app.add_subcommand(
      "lm", "Language models on the LibTorch layer: corpus, train, eval, generate, sizes");
  lm->require_subcommand(1);
  add_help_footer(*lm, "tessera lm sizes", "docs/learning.md");
  add_corpus(*lm);
  add_train(*lm);
  add_eval(*lm);
  add_generate(*lm);
  auto* sizes = lm->add_subcommand("sizes", "The named model sizes and their parameter counts");
  add_help_footer(*sizes, "tessera lm sizes --vocab 8000", "docs/learning.md");
  auto vocab = std::make_shared<int>(1000);
  sizes->add_option("--vocab", *vocab, "Vocabulary the counts assume")->capture_default_str();
  sizes->callback([vocab] {
    for (const auto& row : lm::describe_sizes(*vocab)) std::printf("%s\n", row.c_str());
  });
}

}  // namespace tessera::cli
