#pragma once
// Training and evaluation of a DecoderLM as Tessera task graphs.
//
// One step on a batch of windows is, for M micro-batches and S parameter shards:
//   forward[m]  (R every shard, RW micro-batch m)  records the loss with autograd on
//   backward[m] (R every shard, RW micro-batch m)  computes that micro-batch's gradients
//   optimizer[s] (RW shard s, R every micro-batch) sums the gradients of shard s in the
//                fixed order m = 0, 1, ... and takes an AdamW step on it
// so that forward and backward tasks of different micro-batches run side by side on the
// CPU workers, each with its own intra-op threads, and the result does not depend on which
// worker ran what: it equals a plain LibTorch loop over the same micro-batches
// (reference_step) to float rounding (tested within 1e-6), and two runs with the same
// number of micro-batches give the same result on any number of workers.

#include <cstdint>
#include <memory>
#include <vector>

#include <torch/optim/adamw.h>
#include <torch/types.h>

#include <tessera/runtime.hpp>
#include <tessera/task.hpp>

#include "tessera/nn/tensors.hpp"
#include "tessera/nn/transformer.hpp"

namespace tessera::nn {

struct TrainOptions {
  std::int64_t micro_batches = 2;  // forward/backward task pairs per step
  int shards = 0;                  // optimizer tasks per step; 0: one per CPU worker
  double learning_rate = 3e-3;
  double weight_decay = 0.01;
  double beta1 = 0.9, beta2 = 0.95;
  std::int64_t warmup_steps = 0;  // linear warm-up of the learning rate
  std::int64_t total_steps = 0;   // > 0: cosine decay to 10% over this many steps

  // Throws InvalidArgument naming the bad option.
  void validate() const;
  // The learning rate of step `step` (0-based) under the schedule.
  double learning_rate_at(std::int64_t step) const;
};

// The AdamW options that TrainOptions stands for (also used by the reference loop).
torch::optim::AdamWOptions adamw_options(const TrainOptions& options);

// Rows of windows split into micro-batches of near-equal size (the first ones one row
// larger), in order.
std::vector<torch::Tensor> split_micro_batches(const torch::Tensor& windows, std::int64_t count);
// Targets of windows that are not padding (the loss normalizer).
std::int64_t count_targets(const torch::Tensor& windows);

// The result of one step: mean next-token loss over the batch's targets.
struct StepResult {
  double loss = 0;
  std::int64_t tokens = 0;
};

class TaskTrainer {
 public:
  // `model` is trained in place (its parameters are shared with the registered shards).
  // Destroy the trainer before its runtime.
  TaskTrainer(Runtime& runtime, DecoderLM model, TrainOptions options);
  ~TaskTrainer();
  TaskTrainer(const TaskTrainer&) = delete;
  TaskTrainer& operator=(const TaskTrainer&) = delete;

  // Submits one step on `windows` ([batch, time + 1] int64) and returns without waiting;
  // steps queue behind each other through their data.
  void submit(const torch::Tensor& windows);
  // Waits for the oldest submitted step and returns its loss. Throws when none is queued,
  // or TaskFailed when one of its tasks failed.
  StepResult next_result();
  // submit() then next_result().
  StepResult step(const torch::Tensor& windows);

  std::int64_t steps_submitted() const noexcept { return submitted_; }
  const DecoderLM& model() const noexcept { return model_; }
  // The parameter shards as registered data (for workloads adding their own tasks).
  const std::vector<TensorSetHandle>& shards() const noexcept { return shard_handles_; }

 private:
  struct State;
  struct StepRecord;
  void submit_tasks(StepRecord& record, const std::shared_ptr<StepRecord>& shared, double lr);
  void release() noexcept;
  Runtime& runtime_;
  DecoderLM model_;
  TrainOptions options_;
  std::unique_ptr<State> state_;
  std::vector<TensorSetHandle> shard_handles_;
  std::int64_t submitted_ = 0;
};

// One step of the plain LibTorch loop that TaskTrainer must match: for each micro-batch,
// loss / targets-of-the-batch, backward (accumulating into .grad); then optimizer.step().
StepResult reference_step(DecoderLM& model, torch::optim::AdamW& optimizer,
                          const torch::Tensor& windows, std::int64_t micro_batches);

// A [rows, length + 1] int64 tensor of the given window tokens.
torch::Tensor windows_tensor(const std::vector<std::int32_t>& tokens, std::int64_t length);

}  // namespace tessera::nn
