#include "mimose/budget_training.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

#include <tessera/error.hpp>
#include <tessera/nn/corpus.hpp>
#include <tessera/nn/model_config.hpp>
#include <tessera/nn/tokenizer.hpp>

#include "mimose/checkpointed_trainer.hpp"
#include "mimose/memory_meter.hpp"
#include "mimose/sentence_pairs.hpp"

namespace tessera::mimose {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kMiB = 1024.0 * 1024.0;

std::string mb_text(double bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", bytes / kMiB);
  return text;
}

std::string size_of_model(const std::string& spec) {
  const std::string prefix = "encoder:";
  if (spec.rfind(prefix, 0) != 0 || spec.size() == prefix.size()) {
    std::string sizes;
    for (const auto& s : nn::model_sizes()) sizes += (sizes.empty() ? "" : ", ") + s;
    throw InvalidArgument("--model: expected encoder:SIZE (SIZE one of " + sizes + "), got '" +
                          spec + "'");
  }
  return spec.substr(prefix.size());
}

nn::ModelConfig config_of(const BudgetTrainJob& job, std::int64_t vocab) {
  auto config = nn::model_size(size_of_model(job.model), vocab);
  if (job.layers > 0) config.n_layers = job.layers;
  if (job.context > 0) config.context = job.context;
  config.size = "custom";
  config.validate();
  return config;
}

// The `batch` longest pairs, all padded to the longest: the largest input of the data.
Batch largest_batch(const std::vector<SentencePair>& pairs, std::int64_t rows) {
  std::vector<const SentencePair*> order;
  for (const auto& p : pairs) order.push_back(&p);
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return a->tokens.size() > b->tokens.size();
  });
  order.resize(std::min<std::size_t>(order.size(), static_cast<std::size_t>(rows)));
  return make_batch(order);
}

}  // namespace

void BudgetTrainJob::validate() const {
  size_of_model(model);
  if (!(budget_mb > 0) || !std::isfinite(budget_mb)) {
    char got[32];
    std::snprintf(got, sizeof got, "%g", budget_mb);
    throw InvalidArgument(std::string("--budget must be a positive number of MB, got ") + got);
  }
  make_planner(planner, 1, planner_options);  // names the planner when unknown
  if (layers < 0) throw InvalidArgument("--layers must not be negative");
  if (context < 0) throw InvalidArgument("--context must not be negative");
  if (batch < 1) throw InvalidArgument("--batch must be at least 1");
  if (epochs < 1) throw InvalidArgument("--epochs must be at least 1");
  if (pairs < static_cast<std::size_t>(batch))
    throw InvalidArgument("--pairs must be at least --batch (" + std::to_string(batch) + ")");
  if (vocab < 16) throw InvalidArgument("--vocab must be at least 16");
  if (!(learning_rate > 0)) throw InvalidArgument("--lr must be positive");
  if (threads < 1) throw InvalidArgument("--threads must be at least 1");
}

BudgetTrainReport train_under_budget(
    Runtime& runtime, const BudgetTrainJob& job,
    const std::function<void(const BudgetTrainProgress&)>& on_progress) {
  job.validate();
  const double budget = job.budget_mb * kMiB;
  BudgetTrainReport report;
  report.planner = job.planner;
  report.budget_bytes = budget;

  // Data: a tokenizer and sentence pairs from the corpus' training split.
  const auto splits = nn::load_source(job.corpus, nn::default_data_dir());
  const auto tokenizer = nn::Tokenizer::train(splits.train, {.vocab_size = job.vocab, .seed = 1});
  auto config = config_of(job, tokenizer.vocab_size());
  const auto pairs =
      make_next_line_pairs(tokenizer, splits.train,
                           {.pairs = job.pairs, .max_length = config.context, .seed = job.seed});
  std::vector<std::int64_t> lengths;
  for (const auto& p : pairs) lengths.push_back(static_cast<std::int64_t>(p.tokens.size()));
  report.pair_lengths = histogram(lengths, 10);

  TrainerOptions options{.config = config,
                         .learning_rate = job.learning_rate,
                         .seed = job.seed,
                         .threads = std::max(job.threads, 1)};
  CheckpointedTrainer trainer(runtime, options);
  auto planner = make_planner(job.planner, trainer.blocks(), job.planner_options);
  report.blocks = static_cast<std::int64_t>(trainer.blocks());
  report.parameters = trainer.parameters();

  // The probe: the largest input with every block checkpointed, the least any plan needs.
  const Batch largest = largest_batch(pairs, job.batch);
  report.largest_input = largest.length;
  auto probe = trainer.run(largest, Plan::all(trainer.blocks()), 0, /*step=*/false);
  trainer.drop_gradients();
  report.probe_peak_bytes = probe.peak_bytes;
  if (!job.soft_budget && probe.peak_bytes > budget) {
    throw InvalidArgument(
        "--budget " + mb_text(budget) + " is below the " + mb_text(probe.peak_bytes) +
        " that one iteration needs with every block checkpointed at the longest input (" +
        std::to_string(largest.length) + " tokens x " + std::to_string(largest.rows) +
        " pairs; the model and optimizer state alone take " + mb_text(probe.base_bytes) + ")");
  }
  planner->prepare(probe, largest.length, probe.base_bytes, budget);

  auto& meter = MemoryMeter::instance();
  double iteration_seconds = 0, planning_seconds = 0;
  std::int64_t planned = 0, hits = 0;
  double error_sum = 0;
  const auto started = Clock::now();
  for (std::int64_t epoch = 1; epoch <= job.epochs; ++epoch) {
    const auto batches = epoch_batches(pairs, job.batch, job.seed, epoch);
    const auto epoch_start = Clock::now();
    for (std::size_t b = 0; b < batches.size(); ++b) {
      const Batch& batch = batches[b];
      IterationRecord rec;
      rec.epoch = epoch;
      rec.iteration = static_cast<std::int64_t>(report.iterations.size()) + 1;
      rec.input_size = batch.length;
      rec.bucket = bucket_of(batch.length, job.planner_options.bucket);
      PlanRequest request{
          .input_size = batch.length, .budget = budget, .base = static_cast<double>(meter.live())};
      const auto plan_start = Clock::now();
      rec.warmup = planner->warming_up();
      Plan plan = planner->plan(request);
      rec.planning_seconds = std::chrono::duration<double>(Clock::now() - plan_start).count();
      rec.cache_hit = planner->last_was_cache_hit();
      const auto predicted = rec.warmup ? std::nullopt : planner->predicted_blocks(batch.length);
      const auto run_start = Clock::now();
      IterationMeasure measure;
      for (;;) {
        try {
          measure =
              trainer.run(batch, plan, job.soft_budget ? 0 : static_cast<std::size_t>(budget));
          break;
        } catch (const BudgetExceeded& refused) {
          ++rec.attempts;
          ++report.replans;
          const double overshoot =
              static_cast<double>(refused.live() + refused.requested()) - budget;
          const auto replan_start = Clock::now();
          auto next = planner->replan(request, std::max(overshoot, 0.0));
          rec.planning_seconds +=
              std::chrono::duration<double>(Clock::now() - replan_start).count();
          if (!next) {
            throw Error("iteration " + std::to_string(rec.iteration) + " (input of " +
                        std::to_string(batch.length) + " tokens, plan " + plan.text() +
                        ") needs more than the budget of " + mb_text(budget) + " (" +
                        refused.what() + ") and the " + job.planner +
                        " planner cannot plan again: give a larger --budget, another --planner, "
                        "or --budget-mode soft to measure without a limit");
          }
          plan = *next;
        }
      }
      rec.seconds = std::chrono::duration<double>(Clock::now() - run_start).count();
      if (!rec.warmup) {
        if (auto peak = planner->predicted_peak(plan, batch.length))
          rec.predicted_peak_bytes = *peak + measure.base_bytes;
      }
      rec.plan = plan.dynamic_eviction ? measure.evicted : plan.text();
      rec.checkpointed = plan.dynamic_eviction ? measure.evictions : plan.checkpointed();
      rec.evictions = measure.evictions;
      rec.peak_bytes = measure.peak_bytes;
      rec.base_bytes = measure.base_bytes;
      rec.within_budget = measure.peak_bytes <= budget;
      rec.loss = measure.loss;
      if (predicted) {
        for (std::size_t i = 0; i < predicted->size(); ++i) {
          const double m = measure.block_bytes[i];
          if (m <= 0) continue;
          const double e = std::abs(m - (*predicted)[i]) / m;
          error_sum += e;
          report.worst_error = std::max(report.worst_error, e);
          ++report.predictions;
        }
      }
      planner->observe(measure);
      if (!rec.warmup) {
        ++planned;
        hits += rec.cache_hit ? 1 : 0;
      }
      iteration_seconds += rec.seconds;
      planning_seconds += rec.planning_seconds;
      report.max_peak_bytes = std::max(report.max_peak_bytes, rec.peak_bytes);
      report.over_budget += rec.within_budget ? 0 : 1;
      report.final_loss = rec.loss;
      report.iterations.push_back(rec);
      if (on_progress) {
        on_progress({.epoch = epoch,
                     .epochs = job.epochs,
                     .iteration = static_cast<std::int64_t>(b) + 1,
                     .iterations = static_cast<std::int64_t>(batches.size()),
                     .last = &report.iterations.back(),
                     .seconds = std::chrono::duration<double>(Clock::now() - started).count()});
      }
    }
    report.epoch_seconds.push_back(
        std::chrono::duration<double>(Clock::now() - epoch_start).count());
  }
  std::vector<std::int64_t> batch_lengths;
  for (const auto& r : report.iterations) batch_lengths.push_back(r.input_size);
  report.batch_lengths = histogram(batch_lengths, 10);
  report.mean_error =
      report.predictions > 0 ? error_sum / static_cast<double>(report.predictions) : 0;
  report.cache_hit_rate =
      planned > 0 ? static_cast<double>(hits) / static_cast<double>(planned) : 0;
  report.planning_fraction = iteration_seconds > 0 ? planning_seconds / iteration_seconds : 0;
  if (!job.csv.empty()) write_iterations_csv(job.csv, report.iterations, budget);
  return report;
}

void write_iterations_csv(const std::filesystem::path& path,
                          const std::vector<IterationRecord>& records, double budget_bytes) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path);
  if (!out) throw InvalidArgument("cannot write the iteration CSV '" + path.string() + "'");
  out << "epoch,iteration,input_size,bucket,plan,checkpointed,peak_mb,base_mb,budget_mb,within_"
         "budget,"
         "seconds,planning_us,attempts,loss,cache_hit,warmup,evictions,predicted_peak_mb\n";
  char line[512];
  for (const auto& r : records) {
    std::snprintf(line, sizeof line,
                  "%lld,%lld,%lld,%lld,%s,%zu,%.3f,%.3f,%.3f,%d,%.5f,%.1f,%d,%.6f,%d,%d,%zu,%.3f\n",
                  static_cast<long long>(r.epoch), static_cast<long long>(r.iteration),
                  static_cast<long long>(r.input_size), static_cast<long long>(r.bucket),
                  r.plan.c_str(), r.checkpointed, r.peak_bytes / kMiB, r.base_bytes / kMiB,
                  budget_bytes / kMiB, r.within_budget ? 1 : 0, r.seconds, r.planning_seconds * 1e6,
                  r.attempts, r.loss, r.cache_hit ? 1 : 0, r.warmup ? 1 : 0, r.evictions,
                  r.predicted_peak_bytes / kMiB);
    out << line;
  }
  if (!out) throw Error("writing the iteration CSV '" + path.string() + "' failed");
}

}  // namespace tessera::mimose
