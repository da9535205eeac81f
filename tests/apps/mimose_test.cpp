// Training under a memory budget (issue 18): the planners' arithmetic, the counting
// allocator, the checkpointed task graph's gradients and losses against no checkpointing,
// and the refusals of bad input.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

#include <torch/types.h>

#include <mimose/budget_training.hpp>
#include <mimose/checkpointed_trainer.hpp>
#include <mimose/memory_meter.hpp>
#include <mimose/memory_model.hpp>
#include <mimose/planners.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

namespace ms = tessera::mimose;

namespace {

constexpr double kMiB = 1024.0 * 1024.0;

tessera::Config one_worker() {
  tessera::Config c;
  c.ncpu = 1;
  return c;
}

// A text of lines of varied length, enough for a small tokenizer.
std::filesystem::path write_corpus() {
  const auto path = std::filesystem::temp_directory_path() / "tessera_mimose_corpus.txt";
  std::ofstream out(path);
  std::mt19937 rng(7);
  const char* words[] = {"the",      "memory", "budget", "of",         "a",       "block",
                         "is",       "kept",   "and",    "recomputed", "before",  "its",
                         "backward", "pass",   "input",  "size",       "changes", "from",
                         "batch",    "to",     "batch",  "under",      "training"};
  for (int line = 0; line < 400; ++line) {
    const int n = 2 + static_cast<int>(rng() % 13);
    for (int w = 0; w < n; ++w) out << (w ? " " : "") << words[rng() % std::size(words)];
    out << " " << line << "\n";
  }
  return path;
}

ms::BudgetTrainJob tiny_job(const std::string& planner, double budget_mb) {
  static const auto corpus = write_corpus();
  ms::BudgetTrainJob job;
  job.model = "encoder:tiny";
  job.layers = 4;
  job.context = 96;
  job.batch = 8;
  job.pairs = 48;
  job.vocab = 120;
  job.corpus = corpus.string();
  job.planner = planner;
  job.budget_mb = budget_mb;
  job.threads = 1;
  return job;
}

ms::Batch tiny_batch(std::int64_t rows, std::int64_t length, std::uint64_t seed) {
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::vector<ms::SentencePair> pairs(static_cast<std::size_t>(rows));
  for (auto& p : pairs) {
    const auto n = static_cast<std::size_t>(
        length / 2 + static_cast<std::int64_t>(rng() % static_cast<unsigned>(length / 2 + 1)));
    for (std::size_t i = 0; i < std::max<std::size_t>(n, 2); ++i)
      p.tokens.push_back(4 + static_cast<int>(rng() % 50));
    p.label = rng() % 2;
  }
  std::vector<const ms::SentencePair*> refs;
  for (const auto& p : pairs) refs.push_back(&p);
  return ms::make_batch(refs);
}

ms::TrainerOptions tiny_trainer() {
  ms::TrainerOptions o;
  o.config = tessera::nn::model_size("tiny", 60);
  o.config.n_layers = 4;
  o.config.context = 64;
  o.threads = 1;
  return o;
}

double max_difference(const std::vector<float>& a, const std::vector<float>& b) {
  EXPECT_EQ(a.size(), b.size());
  double worst = 0;
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i)
    worst = std::max(worst, static_cast<double>(std::abs(a[i] - b[i])));
  return worst;
}

}  // namespace

TEST(QuadraticFit, RecoversAQuadraticFromThreeSizes) {
  ms::QuadraticFit fit;
  auto f = [](double x) { return 5e6 + 3e4 * x + 120 * x * x; };
  for (double x : {20.0, 90.0, 250.0}) fit.add(x, f(x));
  ASSERT_TRUE(fit.predict(140).has_value());
  EXPECT_NEAR(*fit.predict(140), f(140), 1e-3 * f(140));
  fit.add(90, f(90) * 2);  // the latest value at a size replaces the earlier one
  EXPECT_GT(*fit.predict(90), 1.5 * f(90));
}

TEST(Plans, StructuralPeakCountsKeptBlocksAndTheRecomputedOne) {
  const std::vector<double> bytes = {10, 10, 10, 10};
  EXPECT_DOUBLE_EQ(ms::structural_peak(ms::Plan::none(4), bytes, 1), 40);
  // Every block checkpointed: three outputs kept, the last block's activations recomputed.
  EXPECT_DOUBLE_EQ(ms::structural_peak(ms::Plan::all(4), bytes, 1), 13);
  // Checkpointing the last block alone saves nothing at the peak.
  EXPECT_DOUBLE_EQ(ms::structural_peak(ms::Plan::of(4, {3}), bytes, 1), 40);
  EXPECT_DOUBLE_EQ(ms::structural_peak(ms::Plan::of(4, {0}), bytes, 1), 31);
}

TEST(Planners, SublinearRecomputesSegmentsAndTheLastRunsAsUsual) {
  auto p = ms::make_planner("sublinear", 6);
  const auto plan = p->plan({.input_size = 10, .budget = 1, .base = 0});
  EXPECT_EQ(plan.text(), "ccc...");
  EXPECT_TRUE(plan.group_ends_at(2));
  EXPECT_FALSE(plan.group_ends_at(1));
}

TEST(Planners, GreedyMeetsTheAllowanceWithTheFewestBlocks) {
  ms::PeakPredictor predictor(4);
  for (std::int64_t x : {20, 40, 80}) {
    ms::MemoryObservation o;
    o.input_size = x;
    o.block_bytes.assign(4, 100.0 * static_cast<double>(x));
    o.output_bytes = 10.0 * static_cast<double>(x);
    o.plan = ms::Plan::all(4);
    o.peak_bytes = ms::structural_peak(o.plan, o.block_bytes, o.output_bytes);
    predictor.observe(o);
  }
  ASSERT_TRUE(predictor.accepted());
  // At x = 40: no checkpointing needs 16000; checkpointing blocks 0 and 1 needs 8800.
  const auto plan = ms::greedy_plan(predictor, 40, 9000);
  EXPECT_EQ(plan.checkpointed(), 2u);
  EXPECT_LE(*predictor.peak_at(plan, 40), 9000);
  EXPECT_EQ(ms::greedy_plan(predictor, 40, 1e9).checkpointed(), 0u);
}

TEST(Planners, UnknownNameIsRefusedWithTheKnownOnes) {
  try {
    ms::make_planner("optimal", 6);
    FAIL() << "no exception";
  } catch (const tessera::InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "unknown planner 'optimal' (known: mimose, none, all, sublinear, static, dtr)"),
              std::string::npos)
        << e.what();
  }
}

TEST(MemoryMeter, CountsTensorsAndRefusesPastTheLimit) {
  auto& meter = ms::MemoryMeter::instance();
  const std::size_t before = meter.live();
  {
    auto t = torch::empty({1024, 256});  // 1 MiB of floats
    EXPECT_GE(meter.live(), before + 1024 * 256 * 4);
    ms::ScopedBudget budget(meter.live() + 1024);
    EXPECT_THROW(torch::empty({1024, 256}), ms::BudgetExceeded);
  }
  EXPECT_EQ(meter.live(), before);
  // A pressure handler that frees memory lets the allocation through.
  auto held = std::make_shared<torch::Tensor>(torch::empty({1024, 256}));
  {
    ms::ScopedBudget budget(meter.live() + 1024, [held](std::size_t) {
      if (!held->defined()) return false;
      *held = torch::Tensor();
      return true;
    });
    EXPECT_NO_THROW(torch::empty({1024, 256}));
  }
}

TEST(CheckpointedTrainer, CheckpointedBlocksGiveTheSameGradients) {
  tessera::Runtime rt(one_worker());
  ms::CheckpointedTrainer trainer(rt, tiny_trainer());
  const auto batch = tiny_batch(6, 40, 3);
  trainer.run(batch, ms::Plan::none(4), 0, /*step=*/false);
  const auto reference = trainer.gradients();
  trainer.drop_gradients();
  double norm = 0;
  for (float g : reference) norm += static_cast<double>(g) * g;
  EXPECT_GT(norm, 0);
  auto sublinear = ms::make_planner("sublinear", 4)->plan({});
  for (const auto& plan : {ms::Plan::all(4), ms::Plan::of(4, {1, 2}), sublinear}) {
    trainer.run(batch, plan, 0, /*step=*/false);
    EXPECT_LE(max_difference(trainer.gradients(), reference), 1e-7) << plan.text();
    trainer.drop_gradients();
  }
}

TEST(CheckpointedTrainer, DtrEvictsUnderATightLimitAndKeepsTheGradients) {
  tessera::Runtime rt(one_worker());
  ms::CheckpointedTrainer trainer(rt, tiny_trainer());
  const auto batch = tiny_batch(6, 48, 5);
  const auto none = trainer.run(batch, ms::Plan::none(4), 0, false);
  const auto reference = trainer.gradients();
  trainer.drop_gradients();
  const auto all = trainer.run(batch, ms::Plan::all(4), 0, false);
  trainer.drop_gradients();
  ASSERT_LT(all.peak_bytes, none.peak_bytes);
  auto dtr = ms::Plan::none(4);
  dtr.dynamic_eviction = true;
  const auto limit = static_cast<std::size_t>((none.peak_bytes + all.peak_bytes) / 2);
  const auto m = trainer.run(batch, dtr, limit, false);
  EXPECT_GT(m.evictions, 0u);
  EXPECT_LE(m.peak_bytes, static_cast<double>(limit));
  EXPECT_LE(max_difference(trainer.gradients(), reference), 1e-7);
  trainer.drop_gradients();
  // Below what any plan needs, the iteration is refused and leaves no gradient behind.
  EXPECT_THROW(trainer.run(batch, ms::Plan::none(4), limit, false), ms::BudgetExceeded);
  EXPECT_LE(max_difference(trainer.gradients(), std::vector<float>(reference.size(), 0.0f)), 0);
}

TEST(BudgetTraining, EveryPlannerFollowsTheLossCurveOfNoCheckpointing) {
  tessera::Runtime rt(one_worker());
  auto job = tiny_job("none", 1e6);
  job.epochs = 2;
  const auto reference = ms::train_under_budget(rt, job);
  ASSERT_EQ(reference.iterations.size(), 12u);
  // A budget between the least any plan needs and what no checkpointing takes.
  const double budget = (reference.probe_peak_bytes + reference.max_peak_bytes) / 2;
  for (const std::string planner : {"mimose", "all", "sublinear", "static", "dtr"}) {
    auto j = tiny_job(planner, budget / kMiB);
    j.epochs = 2;
    // The static plans need not fit this budget: measured against it, not limited by it.
    j.soft_budget = planner == "sublinear" || planner == "static";
    const auto report = ms::train_under_budget(rt, j);
    ASSERT_EQ(report.iterations.size(), reference.iterations.size()) << planner;
    for (std::size_t i = 0; i < report.iterations.size(); ++i) {
      // The tolerance of the loss curves: 1e-6 (recomputation repeats the same arithmetic).
      EXPECT_NEAR(report.iterations[i].loss, reference.iterations[i].loss, 1e-6)
          << planner << " iteration " << i;
      if (planner == "mimose" || planner == "dtr" || planner == "all") {
        EXPECT_LE(report.iterations[i].peak_bytes, budget) << planner << " iteration " << i;
      }
    }
  }
}

TEST(BudgetTraining, MimoseLearnsAndPlansWithinTheBudget) {
  tessera::Runtime rt(one_worker());
  auto none_job = tiny_job("none", 1e6);
  none_job.epochs = 3;
  const auto none = ms::train_under_budget(rt, none_job);
  auto job = tiny_job("mimose", 0.6 * none.max_peak_bytes / kMiB);
  job.epochs = 3;
  job.planner_options.bucket = 1;
  const auto report = ms::train_under_budget(rt, job);
  EXPECT_EQ(report.over_budget, 0);
  EXPECT_GT(report.predictions, 0);
  EXPECT_LT(report.mean_error, 0.10);
  std::size_t planned = 0;
  for (const auto& r : report.iterations) planned += r.warmup ? 0 : 1;
  EXPECT_GT(planned, 0u);
}

TEST(BudgetTraining, BadInputIsRefusedBeforeTraining) {
  tessera::Runtime rt(one_worker());
  auto expect_refused = [&](ms::BudgetTrainJob job, const std::string& words) {
    try {
      ms::train_under_budget(rt, job);
      ADD_FAILURE() << "no exception for " << words;
    } catch (const tessera::InvalidArgument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  expect_refused(tiny_job("mimose", 0), "--budget must be a positive number of MB");
  expect_refused(tiny_job("mimose", -5), "--budget must be a positive number of MB");
  expect_refused(tiny_job("best", 100), "unknown planner 'best'");
  expect_refused(tiny_job("mimose", 0.01),
                 "that one iteration needs with every block checkpointed");
  auto bad_model = tiny_job("mimose", 100);
  bad_model.model = "decoder:tiny";
  expect_refused(bad_model, "--model: expected encoder:SIZE");
}
