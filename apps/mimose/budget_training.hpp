#pragma once
// The job behind `tessera train`: an encoder trained on variable-length sentence pairs under
// a memory budget, with a checkpointing planner chosen by name (docs/mimose.md). Plain data
// in and out: no LibTorch in this header.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <tessera/runtime.hpp>

#include "mimose/planners.hpp"

namespace tessera::mimose {

struct BudgetTrainJob {
  std::string model = "encoder:small";  // encoder:<size of the model zoo>
  std::int64_t layers = 6;              // blocks (0: the size's)
  std::int64_t context = 256;           // longest input (0: the size's)
  std::int64_t batch = 16;              // pairs per iteration
  double budget_mb = 0;                 // MiB of live LibTorch memory
  bool soft_budget = false;             // measure against the budget without enforcing it
  std::string planner = "mimose";
  PlannerOptions planner_options;
  std::int64_t epochs = 1;
  std::size_t pairs = 1600;    // training pairs (an epoch is pairs / batch iterations)
  std::string corpus = "kjv";  // nn::load_source: kjv, logs, logs:<System>, a file
  int vocab = 1000;
  std::uint64_t seed = 1;
  double learning_rate = 1e-3;
  int threads = 1;            // LibTorch intra-op threads per task
  std::filesystem::path csv;  // per-iteration records, when set

  // Throws InvalidArgument naming the first bad field (budget, planner, sizes).
  void validate() const;
};

struct IterationRecord {
  std::int64_t epoch = 0, iteration = 0, input_size = 0, bucket = 0;
  std::string plan;  // per block: 'c' checkpointed, '.' kept, 'e' evicted by DTR
  std::size_t checkpointed = 0;
  double peak_bytes = 0, base_bytes = 0, predicted_peak_bytes = 0;
  bool within_budget = true;
  double seconds = 0, planning_seconds = 0;
  int attempts = 1;  // > 1: re-planned after an allocation was refused
  double loss = 0;
  bool cache_hit = false, warmup = false;
  std::size_t evictions = 0;
};

struct BudgetTrainReport {
  std::string planner;
  double budget_bytes = 0;
  std::int64_t parameters = 0, blocks = 0, largest_input = 0;
  double probe_peak_bytes = 0;  // every block checkpointed, at the largest input
  std::vector<IterationRecord> iterations;
  std::vector<double> epoch_seconds;
  std::map<std::int64_t, std::int64_t> pair_lengths, batch_lengths;  // histograms (bins of 10)
  double max_peak_bytes = 0;
  std::int64_t over_budget = 0;  // iterations whose peak passed the budget (soft budgets)
  std::int64_t replans = 0;      // attempts refused and planned again (hard budgets)
  // Per-block activation predictions after warm-up, |measured - predicted| / measured.
  double mean_error = 0, worst_error = 0;
  std::int64_t predictions = 0;
  double cache_hit_rate = 0;     // of the planned iterations after warm-up
  double planning_fraction = 0;  // planning time / iteration time
  double final_loss = 0;
};

struct BudgetTrainProgress {
  std::int64_t epoch = 0, epochs = 0, iteration = 0, iterations = 0;
  const IterationRecord* last = nullptr;
  double seconds = 0;
};

BudgetTrainReport train_under_budget(
    Runtime& runtime, const BudgetTrainJob& job,
    const std::function<void(const BudgetTrainProgress&)>& on_progress = {});

// Writes the records as CSV (header first).
void write_iterations_csv(const std::filesystem::path& path,
                          const std::vector<IterationRecord>& records, double budget_bytes);

}  // namespace tessera::mimose
