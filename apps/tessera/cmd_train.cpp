// tessera train: an encoder trained under a memory budget with a checkpointing planner
// (Mimose and its baselines, docs/mimose.md).

#include <cstdio>
#include <string>

#include <mimose/budget_training.hpp>
#include <tessera/error.hpp>

#include "tessera/commands.hpp"
#include "tessera/runtime_options.hpp"

namespace tessera::cli {

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

void print_histogram(const char* title, const std::map<std::int64_t, std::int64_t>& counts) {
  std::printf("%s:", title);
  for (const auto& [bin, count] : counts)
    std::printf(" %lld-%lld:%lld", static_cast<long long>(bin), static_cast<long long>(bin + 9),
                static_cast<long long>(count));
  std::printf("\n");
}

}  // namespace

void add_train_command(CLI::App& app) {
  auto runtime = std::make_shared<RuntimeOptions>();
  runtime->ncpu = 1;      // the blocks form a chain: one worker is enough
  runtime->progress = 0;  // its own progress line instead of the runtime's (--progress S)
  auto job = std::make_shared<mimose::BudgetTrainJob>();
  auto mode = std::make_shared<std::string>("hard");
  auto csv = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "train", "Train an encoder under a memory budget with a checkpointing planner (Mimose)");
  cmd->add_option("--model", job->model, "encoder:SIZE, SIZE a model-zoo size (tessera lm sizes)")
      ->capture_default_str();
  cmd->add_option("--layers", job->layers, "Encoder blocks (0: the size's)")->capture_default_str();
  cmd->add_option("--context", job->context, "Longest input in tokens (0: the size's)")
      ->capture_default_str();
  cmd->add_option("--budget", job->budget_mb, "Memory budget in MB (MiB) of live LibTorch memory")
      ->required();
  cmd->add_option("--budget-mode", *mode,
                  "hard: never exceed the budget (re-plan, or stop with an error); soft: only "
                  "measure against it")
      ->check(CLI::IsMember({"hard", "soft"}))
      ->capture_default_str();
  cmd->add_option("--planner", job->planner, "mimose, none, all, sublinear, static or dtr")
      ->capture_default_str();
  cmd->add_option("--bucket", job->planner_options.bucket,
                  "mimose: input sizes are rounded up to a multiple of this for its plan cache")
      ->capture_default_str();
  cmd->add_option("--epochs", job->epochs, "Passes over the training pairs")->capture_default_str();
  cmd->add_option("--pairs", job->pairs,
                  "Training sentence pairs (an epoch: pairs / batch iterations)")
      ->capture_default_str();
  cmd->add_option("--batch", job->batch, "Pairs per iteration")->capture_default_str();
  cmd->add_option("--corpus", job->corpus,
                  "kjv, logs, logs:<System> or a text file (one line a sentence)")
      ->capture_default_str();
  cmd->add_option("--vocab", job->vocab, "Tokenizer vocabulary (trained on the corpus)")
      ->capture_default_str();
  cmd->add_option("--lr", job->learning_rate, "AdamW learning rate")->capture_default_str();
  cmd->add_option("--seed", job->seed, "Seed of the initialization and of the pairs")
      ->capture_default_str();
  cmd->add_option("--threads", job->threads,
                  "LibTorch threads per task (more ran slower here: docs/mimose.md)")
      ->capture_default_str();
  cmd->add_option("--csv", *csv,
                  "CSV of every iteration: input size, plan, peak memory, time, attempts, loss");
  cmd->add_flag("--quiet", *quiet, "No progress line");
  runtime->add_to(*cmd);
  add_help_footer(*cmd,
                  "tessera train --model encoder:small --budget 200 --planner mimose --epochs 1 "
                  "--csv iterations.csv",
                  "docs/mimose.md",
                  "Progress (stderr) every 2 s: iteration, input size, plan, peak memory.");
  cmd->callback([runtime, job, mode, csv, quiet] {
    job->soft_budget = *mode == "soft";
    job->csv = *csv;
    job->validate();  // bad input is refused before anything is built
    Runtime rt(runtime->to_config());
    double last_print = -1;
    const auto report =
        mimose::train_under_budget(rt, *job, [&](const mimose::BudgetTrainProgress& p) {
          if (*quiet) return;
          const bool end = p.epoch == p.epochs && p.iteration == p.iterations;
          if (!end && p.seconds - last_print < 2.0) return;
          last_print = p.seconds;
          const auto& r = *p.last;
          std::fprintf(stderr,
                       "epoch %lld/%lld  iteration %lld/%lld  input %lld  plan %s  peak %.1f MB  "
                       "%.3f s  loss %.4f%s\n",
                       static_cast<long long>(p.epoch), static_cast<long long>(p.epochs),
                       static_cast<long long>(p.iteration), static_cast<long long>(p.iterations),
                       static_cast<long long>(r.input_size), r.plan.c_str(), r.peak_bytes / kMiB,
                       r.seconds, r.loss, r.warmup ? "  (warm-up)" : "");
        });
    std::printf(
        "planner %s, budget %.1f MB (%s): %lld blocks, %.2f M parameters, largest input %lld "
        "tokens\n",
        report.planner.c_str(), report.budget_bytes / kMiB, mode->c_str(),
        static_cast<long long>(report.blocks), static_cast<double>(report.parameters) / 1e6,
        static_cast<long long>(report.largest_input));
    for (std::size_t e = 0; e < report.epoch_seconds.size(); ++e)
      std::printf("epoch %zu: %.2f s\n", e + 1, report.epoch_seconds[e]);
    std::printf(
        "peak %.1f MB (every block checkpointed at the largest input: %.1f MB); iterations over "
        "the budget: %lld of %zu; re-planned: %lld\n",
        report.max_peak_bytes / kMiB, report.probe_peak_bytes / kMiB,
        static_cast<long long>(report.over_budget), report.iterations.size(),
        static_cast<long long>(report.replans));
    if (report.predictions > 0) {
      std::printf(
          "activation predictions: mean error %.2f%%, worst %.2f%% (%lld block predictions)\n",
          100 * report.mean_error, 100 * report.worst_error,
          static_cast<long long>(report.predictions));
    }
    if (report.planner == "mimose") {
      std::printf("plan cache hit rate %.1f%%; planning %.4f%% of the iteration time\n",
                  100 * report.cache_hit_rate, 100 * report.planning_fraction);
    }
    std::printf("final loss %.4f\n", report.final_loss);
    print_histogram("pair lengths", report.pair_lengths);
    print_histogram("batch input sizes", report.batch_lengths);
    if (!csv->empty()) std::printf("wrote %s\n", csv->c_str());
  });
}

}  // namespace tessera::cli
