#include "mimose/planners.hpp"

#include <algorithm>
#include <cmath>
#include <tuple>

#include <tessera/error.hpp>

namespace tessera::mimose {

void Planner::prepare(const MemoryObservation&, std::int64_t, double, double) {}
void Planner::observe(const MemoryObservation&) {}
std::optional<Plan> Planner::replan(const PlanRequest&, double) {
  return std::nullopt;
}
std::optional<std::vector<double>> Planner::predicted_blocks(std::int64_t) const {
  return std::nullopt;
}
std::optional<double> Planner::predicted_peak(const Plan&, std::int64_t) const {
  return std::nullopt;
}

std::int64_t bucket_of(std::int64_t input_size, std::int64_t bucket) {
  if (bucket <= 1) return input_size;
  return (input_size + bucket - 1) / bucket * bucket;
}

Plan greedy_plan(const PeakPredictor& predictor, double x, double allowance) {
  const std::size_t n = predictor.blocks();
  Plan plan = Plan::none(n);
  const auto bytes = predictor.blocks_at(x);
  if (!bytes) return Plan::all(n);
  double peak = *predictor.peak_at(plan, x);
  while (peak > allowance && plan.checkpointed() < n) {
    std::size_t best = n;
    std::tuple<double, double, std::size_t> best_key{};
    for (std::size_t i = 0; i < n; ++i) {
      if (plan.checkpoint[i]) continue;
      Plan trial = plan;
      trial.checkpoint[i] = true;
      trial.group[i] = static_cast<int>(i);
      // Lower peak first, then the larger saving, then the later block (the authors' order).
      const std::tuple<double, double, std::size_t> key{-*predictor.peak_at(trial, x), (*bytes)[i],
                                                        i};
      if (best == n || key > best_key) {
        best = i;
        best_key = key;
      }
    }
    plan.checkpoint[best] = true;
    plan.group[best] = static_cast<int>(best);
    peak = -std::get<0>(best_key);
  }
  return plan;
}

namespace {

class FixedPlanner final : public Planner {
 public:
  FixedPlanner(std::string name, Plan plan) : name_(std::move(name)), plan_(std::move(plan)) {}
  std::string name() const override { return name_; }
  Plan plan(const PlanRequest&) override { return plan_; }

 private:
  std::string name_;
  Plan plan_;
};

// sqrt(n) segments of consecutive blocks; every segment but the last is recomputed whole
// before the backward of its last block, as torch.utils.checkpoint_sequential does.
Plan sublinear_plan(std::size_t n) {
  const auto segments =
      std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(std::sqrt(n))));
  const std::size_t length = (n + segments - 1) / segments;
  Plan plan = Plan::none(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (i / length + 1 >= segments) break;  // the last segment runs as usual
    plan.checkpoint[i] = true;
    plan.group[i] = static_cast<int>(i / length);
  }
  return plan;
}

class StaticPlanner final : public Planner {
 public:
  StaticPlanner(std::size_t blocks, PlannerOptions options)
      : blocks_(blocks), options_(options), predictor_(blocks) {}
  std::string name() const override { return "static"; }
  void prepare(const MemoryObservation& probe, std::int64_t largest, double training_base,
               double budget) override {
    predictor_.observe(probe);
    plan_ = greedy_plan(predictor_, static_cast<double>(largest),
                        budget * (1 - options_.safety) - training_base);
  }
  Plan plan(const PlanRequest&) override { return plan_ ? *plan_ : Plan::all(blocks_); }

 private:
  std::size_t blocks_;
  PlannerOptions options_;
  PeakPredictor predictor_;
  std::optional<Plan> plan_;
};

class DtrPlanner final : public Planner {
 public:
  explicit DtrPlanner(std::size_t blocks) : blocks_(blocks) {}
  std::string name() const override { return "dtr"; }
  Plan plan(const PlanRequest&) override {
    Plan p = Plan::none(blocks_);
    p.dynamic_eviction = true;
    return p;
  }

 private:
  std::size_t blocks_;
};

}  // namespace

MimosePlanner::MimosePlanner(std::size_t blocks, const PlannerOptions& options)
    : blocks_(blocks), options_(options), predictor_(blocks), warmup_plan_(Plan::all(blocks)) {}

void MimosePlanner::prepare(const MemoryObservation& probe, std::int64_t largest,
                            double training_base, double budget) {
  // The probe is a measurement at the largest input like any other.
  predictor_.observe(probe);
  warmup_plan_ = greedy_plan(predictor_, static_cast<double>(largest),
                             budget * (1 - options_.safety) - training_base);
}

bool MimosePlanner::warming_up() const {
  return observed_ < options_.min_warmup || !predictor_.accepted();
}

Plan MimosePlanner::plan_bucket(std::int64_t bucket, const PlanRequest& request) const {
  double extra = 0;
  if (auto it = extra_.find(bucket); it != extra_.end()) extra = it->second;
  const double allowance = request.budget * (1 - options_.safety) - request.base - extra;
  return greedy_plan(predictor_, static_cast<double>(bucket), allowance);
}

Plan MimosePlanner::plan(const PlanRequest& request) {
  hit_ = false;
  if (warming_up()) return last_ = warmup_plan_;
  const std::int64_t bucket = bucket_of(request.input_size, options_.bucket);
  if (auto it = cache_.find(bucket); it != cache_.end()) {
    hit_ = true;
    return last_ = it->second;
  }
  Plan p = plan_bucket(bucket, request);
  cache_.emplace(bucket, p);
  return last_ = p;
}

void MimosePlanner::observe(const MemoryObservation& iteration) {
  predictor_.observe(iteration);
  ++observed_;
}

std::optional<Plan> MimosePlanner::replan(const PlanRequest& request, double overshoot) {
  const std::int64_t bucket = bucket_of(request.input_size, options_.bucket);
  const Plan before = last_.checkpoint.size() == blocks_ ? last_ : Plan::none(blocks_);
  if (before.checkpointed() == blocks_) return std::nullopt;  // nothing more to checkpoint
  if (warming_up()) return last_ = warmup_plan_ = Plan::all(blocks_);
  // Keep what was missing (and a megabyte) free from now on, and plan the bucket again;
  // if the predictions still pick the same plan, checkpoint one block more than it did.
  extra_[bucket] += overshoot + 1024.0 * 1024.0;
  Plan p = plan_bucket(bucket, request);
  if (p.checkpointed() <= before.checkpointed()) {
    p = before;
    for (std::size_t i = 0; i < blocks_; ++i) {
      if (!p.checkpoint[i]) {
        p.checkpoint[i] = true;
        p.group[i] = static_cast<int>(i);
        break;
      }
    }
  }
  cache_[bucket] = p;
  return last_ = p;
}

std::optional<std::vector<double>> MimosePlanner::predicted_blocks(std::int64_t input_size) const {
  return predictor_.blocks_at(static_cast<double>(input_size));
}

std::optional<double> MimosePlanner::predicted_peak(const Plan& plan,
                                                    std::int64_t input_size) const {
  return predictor_.peak_at(plan, static_cast<double>(input_size));
}

std::vector<std::string> planner_names() {
  return {"mimose", "none", "all", "sublinear", "static", "dtr"};
}

std::unique_ptr<Planner> make_planner(std::string_view name, std::size_t blocks,
                                      const PlannerOptions& options) {
  if (blocks == 0) throw InvalidArgument("planner: the model has no block");
  if (options.bucket < 1) throw InvalidArgument("planner: the size bucket must be at least 1");
  if (!(options.safety >= 0 && options.safety < 0.5))
    throw InvalidArgument("planner: the safety fraction must be in [0, 0.5)");
  if (name == "mimose") return std::make_unique<MimosePlanner>(blocks, options);
  if (name == "none") return std::make_unique<FixedPlanner>("none", Plan::none(blocks));
  if (name == "all") return std::make_unique<FixedPlanner>("all", Plan::all(blocks));
  if (name == "sublinear")
    return std::make_unique<FixedPlanner>("sublinear", sublinear_plan(blocks));
  if (name == "static") return std::make_unique<StaticPlanner>(blocks, options);
  if (name == "dtr") return std::make_unique<DtrPlanner>(blocks);
  std::string known;
  for (const auto& n : planner_names()) known += (known.empty() ? "" : ", ") + n;
  throw InvalidArgument("unknown planner '" + std::string(name) + "' (known: " + known + ")");
}

}  // namespace tessera::mimose
