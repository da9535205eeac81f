#pragma once
// Checkpointing planners, chosen by name: which blocks of the next iteration drop their
// activations (and are recomputed before their backward) so that the iteration fits a
// memory budget. Plain arithmetic, no LibTorch (docs/mimose.md).
//
//   mimose     learns each block's activation bytes as a function of the input size (after
//              warm-up iterations that checkpoint every block), plans per size bucket with a
//              greedy choice, caches the plans, re-plans a bucket that went over the budget
//   none       keeps everything (the fastest, and the most memory)
//   all        checkpoints every block
//   sublinear  sqrt(n) segments, all but the last recomputed a segment at a time (Chen et al.)
//   static     the mimose plan for the largest input, for every input
//   dtr        keeps everything and evicts the block activation with the lowest
//              cost / (bytes x staleness) when an allocation would pass the budget (dynamic
//              tensor rematerialization at block granularity)

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mimose/memory_model.hpp"

namespace tessera::mimose {

struct PlannerOptions {
  std::int64_t bucket = 5;      // input sizes rounded up to a multiple of this (tokens)
  double safety = 0.02;         // fraction of the budget predictions leave free
  std::int64_t min_warmup = 2;  // mimose: warm-up iterations at least (then until accepted)
};

struct PlanRequest {
  std::int64_t input_size = 0;
  double budget = 0;  // bytes
  double base = 0;    // bytes live when the iteration starts
};

class Planner {
 public:
  virtual ~Planner() = default;
  virtual std::string name() const = 0;
  // Before training: an iteration measured at the largest input with every block
  // checkpointed, and the base bytes training iterations will start from.
  virtual void prepare(const MemoryObservation& probe, std::int64_t largest_input,
                       double training_base, double budget);
  virtual Plan plan(const PlanRequest& request) = 0;
  virtual void observe(const MemoryObservation& iteration);
  // The iteration went over the budget (an allocation of `overshoot` bytes too many was
  // refused): a plan with more checkpointing, or nullopt when this planner cannot adapt.
  virtual std::optional<Plan> replan(const PlanRequest& request, double overshoot);
  // Predicted activation bytes of each block at this input size, when the planner predicts.
  virtual std::optional<std::vector<double>> predicted_blocks(std::int64_t input_size) const;
  // The predicted peak above the base of `plan` at this input size, when the planner predicts.
  virtual std::optional<double> predicted_peak(const Plan& plan, std::int64_t input_size) const;
  virtual bool last_was_cache_hit() const { return false; }
  virtual bool warming_up() const { return false; }
};

// Names in the order of the documentation.
std::vector<std::string> planner_names();
// Throws InvalidArgument listing the known names for an unknown one.
std::unique_ptr<Planner> make_planner(std::string_view name, std::size_t blocks,
                                      const PlannerOptions& options = {});

// The greedy choice of mimose and static: starting from no checkpointing, checkpoint the
// block that lowers the predicted peak most (ties: the larger saving, then the later block)
// until the predicted peak above the base is within `allowance` bytes or every block is
// checkpointed.
Plan greedy_plan(const PeakPredictor& predictor, double input_size, double allowance);

// Input sizes rounded up to a multiple of `bucket`.
std::int64_t bucket_of(std::int64_t input_size, std::int64_t bucket);

class MimosePlanner final : public Planner {
 public:
  MimosePlanner(std::size_t blocks, const PlannerOptions& options);
  std::string name() const override { return "mimose"; }
  // Learns from the probe and plans the warm-up from it (see warmup_plan_).
  void prepare(const MemoryObservation& probe, std::int64_t largest_input, double training_base,
               double budget) override;
  Plan plan(const PlanRequest& request) override;
  void observe(const MemoryObservation& iteration) override;
  std::optional<Plan> replan(const PlanRequest& request, double overshoot) override;
  std::optional<std::vector<double>> predicted_blocks(std::int64_t input_size) const override;
  std::optional<double> predicted_peak(const Plan& plan, std::int64_t input_size) const override;
  bool last_was_cache_hit() const override { return hit_; }
  bool warming_up() const override;

 private:
  Plan plan_bucket(std::int64_t bucket, const PlanRequest& request) const;
  std::size_t blocks_;
  PlannerOptions options_;
  PeakPredictor predictor_;
  std::int64_t observed_ = 0;
  std::map<std::int64_t, Plan> cache_;
  std::map<std::int64_t, double> extra_;  // bytes a bucket's plans keep free after overshoots
  // Warm-up iterations run this plan: every block checkpointed, or (after prepare) the
  // greedy plan for the largest input, which fits every smaller input too. Either way each
  // block is measured, kept ones in their forward, checkpointed ones in their recomputation.
  Plan warmup_plan_;
  Plan last_;  // the plan handed out last (what a refused iteration ran)
  bool hit_ = false;
};

}  // namespace tessera::mimose
