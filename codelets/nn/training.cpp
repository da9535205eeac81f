#include "tessera/nn/training.hpp"

#include <torch/autograd.h>

#include <cmath>
#include <deque>
#include <numbers>

#include <tessera/error.hpp>
#include <tessera/task_context.hpp>

#include "tessera/nn/tokenizer.hpp"
#include "tessera/nn/torch_codelet.hpp"

namespace tessera::nn {
namespace {

// What one micro-batch carries from its forward task to its backward task, and from there
// to the optimizer tasks.
struct MicroBatch {
  torch::Tensor loss;                // with its autograd graph, until backward
  std::vector<torch::Tensor> grads;  // one per trainable parameter, in shard order
};

std::vector<TensorSetHandle> register_shards(Runtime& rt,
                                             const std::vector<std::shared_ptr<TensorSet>>& sets,
                                             const std::string& prefix) {
  std::vector<TensorSetHandle> handles;
  for (std::size_t s = 0; s < sets.size(); ++s) {
    handles.push_back(register_tensors(rt, sets[s], prefix + std::to_string(s)));
  }
  return handles;
}

// "base[step.part]", the name of a task in traces and error messages.
std::string task_label(const char* base, std::int64_t step, std::size_t part) {
  std::string label = base;
  label += '[';
  label += std::to_string(step);
  label += '.';
  label += std::to_string(part);
  label += ']';
  return label;
}

void wait_all_of(std::vector<TaskHandle>& tasks) {
  for (auto& t : tasks) t.wait();
}

}  // namespace

// --- options ---------------------------------------------------------------------------

void TrainOptions::validate() const {
  auto fail = [](const std::string& what) { throw InvalidArgument("training: " + what); };
  if (micro_batches < 1) fail("micro_batches must be at least 1");
  if (shards < 0) fail("shards must be >= 0 (0: one per CPU worker)");
  if (!(learning_rate > 0) || !std::isfinite(learning_rate))
    fail("learning rate must be a positive number");
  if (!(weight_decay >= 0) || !std::isfinite(weight_decay)) fail("weight decay must be >= 0");
  if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) fail("betas must be in [0, 1)");
  if (warmup_steps < 0 || total_steps < 0) fail("warm-up and total steps must be >= 0");
}

double TrainOptions::learning_rate_at(std::int64_t step) const {
  double lr = learning_rate;
  if (warmup_steps > 0 && step < warmup_steps) {
    return lr * static_cast<double>(step + 1) / static_cast<double>(warmup_steps);
  }
  if (total_steps > warmup_steps) {
    const double progress = std::min(1.0, static_cast<double>(step - warmup_steps) /
                                              static_cast<double>(total_steps - warmup_steps));
    lr *= 0.1 + 0.9 * 0.5 * (1.0 + std::cos(std::numbers::pi * progress));
  }
  return lr;
}

torch::optim::AdamWOptions adamw_options(const TrainOptions& options) {
  return torch::optim::AdamWOptions(options.learning_rate)
      .betas({options.beta1, options.beta2})
      .weight_decay(options.weight_decay)
      .eps(1e-8);
}

std::vector<torch::Tensor> split_micro_batches(const torch::Tensor& windows, std::int64_t count) {
  const std::int64_t rows = windows.size(0);
  if (count < 1 || count > rows) {
    throw InvalidArgument("training: " + std::to_string(count) + " micro-batches for a batch of " +
                          std::to_string(rows) + " windows");
  }
  std::vector<torch::Tensor> parts;
  std::int64_t start = 0;
  for (std::int64_t m = 0; m < count; ++m) {
    const std::int64_t size = rows / count + (m < rows % count ? 1 : 0);
    parts.push_back(windows.narrow(0, start, size));
    start += size;
  }
  return parts;
}

std::int64_t count_targets(const torch::Tensor& windows) {
  return windows.narrow(1, 1, windows.size(1) - 1).ne(Tokenizer::kPad).sum().item<std::int64_t>();
}

torch::Tensor windows_tensor(const std::vector<std::int32_t>& tokens, std::int64_t length) {
  const auto row = length + 1;
  if (tokens.empty() || static_cast<std::int64_t>(tokens.size()) % row != 0) {
    throw InvalidArgument("training: " + std::to_string(tokens.size()) +
                          " tokens do not make whole windows of " + std::to_string(row));
  }
  return torch::tensor(tokens, torch::kInt).to(torch::kLong).view({-1, row});
}

// --- TaskTrainer -----------------------------------------------------------------------

struct TaskTrainer::StepRecord {
  std::vector<torch::Tensor> inputs;  // the micro-batches' windows
  std::vector<double> losses;         // written by forward[m], slot m only
  std::int64_t tokens = 0;
  std::vector<TaskHandle> tasks;
};

struct TaskTrainer::State {
  DecoderLM model{nullptr};
  std::vector<std::shared_ptr<TensorSet>> shards;
  std::vector<std::size_t> shard_offset;  // index of the shard's first tensor in `params`
  std::vector<torch::Tensor> params;      // every trainable parameter, in shard order
  std::vector<std::unique_ptr<torch::optim::AdamW>> optimizers;  // one per shard
  std::vector<std::shared_ptr<MicroBatch>> micro;
  std::vector<ObjectHandle<MicroBatch>> micro_handles;
  std::deque<std::shared_ptr<TaskTrainer::StepRecord>> pending;
  Codelet forward{"lm.forward"}, backward{"lm.backward"}, optimize{"lm.adamw"};
};

TaskTrainer::TaskTrainer(Runtime& runtime, DecoderLM model, TrainOptions options)
    : runtime_(runtime),
      model_(std::move(model)),
      options_(options),
      state_(std::make_unique<State>()) {
  options_.validate();
  State& st = *state_;
  st.model = model_;
  int shards = options_.shards;
  if (shards == 0) {
    shards = 0;
    for (const auto& w : runtime_.workers()) shards += w.arch == Arch::cpu ? 1 : 0;
    shards = std::max(shards, 1);
  }
  st.shards = parameter_shards(*model_, shards);
  if (st.shards.empty()) throw InvalidArgument("training: the model has no trainable parameter");
  for (const auto& set : st.shards) {
    st.shard_offset.push_back(st.params.size());
    for (const auto& t : set->tensors()) st.params.push_back(t);
    st.optimizers.push_back(
        std::make_unique<torch::optim::AdamW>(set->tensors(), adamw_options(options_)));
  }
  try {
    shard_handles_ = register_shards(runtime_, st.shards, "lm.params.");
    for (std::int64_t m = 0; m < options_.micro_batches; ++m) {
      st.micro.push_back(std::make_shared<MicroBatch>());
      st.micro_handles.push_back(runtime_.register_object(st.micro.back()));
      st.micro_handles.back().set_name("lm.micro." + std::to_string(m));
    }
  } catch (...) {
    release();
    throw;
  }
  const std::size_t nshards = st.shards.size();
  State* s = state_.get();
  st.forward = torch_codelet("lm.forward",
                             [s, nshards](TaskContext& ctx) {
                               auto& mb = ctx.object<MicroBatch>(nshards);
                               const auto& record = ctx.arg<std::shared_ptr<StepRecord>>(0);
                               const auto m = static_cast<std::size_t>(ctx.arg<std::int64_t>(1));
                               mb.loss = s->model->loss_sum(record->inputs[m]) /
                                         static_cast<double>(record->tokens);
                               record->losses[m] = mb.loss.item<double>();
                             },
                             {.grad = true});
  st.backward = torch_codelet("lm.backward",
                              [s, nshards](TaskContext& ctx) {
                                auto& mb = ctx.object<MicroBatch>(nshards);
                                if (!mb.loss.defined())
                                  throw Error("lm.backward: no forward loss to differentiate");
                                auto grads = torch::autograd::grad(
                                    {mb.loss}, s->params, /*grad_outputs=*/{},
                                    /*retain_graph=*/false, /*create_graph=*/false,
                                    /*allow_unused=*/true);
                                for (std::size_t i = 0; i < grads.size(); ++i) {
                                  if (!grads[i].defined())
                                    grads[i] = torch::zeros_like(s->params[i]);
                                }
                                mb.loss = torch::Tensor();  // frees the graph
                                mb.grads = std::move(grads);
                              },
                              {.grad = true});
  st.optimize = torch_codelet("lm.adamw", [s](TaskContext& ctx) {
    const auto shard = static_cast<std::size_t>(ctx.arg<std::int64_t>(0));
    const double lr = ctx.arg<double>(1);
    const std::size_t micro = ctx.num_buffers() - 1;
    auto& set = tensors(ctx, 0);
    for (std::size_t j = 0; j < set.size(); ++j) {
      const std::size_t index = s->shard_offset[shard] + j;
      // The fixed-order sum that makes the step independent of the schedule.
      torch::Tensor sum = ctx.object<MicroBatch>(1).grads.at(index);
      for (std::size_t m = 1; m < micro; ++m)
        sum = sum + ctx.object<MicroBatch>(1 + m).grads.at(index);
      set[j].mutable_grad() = sum;
    }
    auto& optimizer = *s->optimizers[shard];
    for (auto& group : optimizer.param_groups()) {
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    }
    optimizer.step();
    for (std::size_t j = 0; j < set.size(); ++j) set[j].mutable_grad() = torch::Tensor();
  });
}

TaskTrainer::~TaskTrainer() {
  for (auto& record : state_->pending) {
    for (auto& t : record->tasks) {
      try {
        t.wait();
      } catch (...) {  // a failed step was reported, or is dropped with the trainer
      }
    }
    record->tasks.clear();
  }
  release();
}

void TaskTrainer::release() noexcept {
  try {
    for (auto& h : shard_handles_) runtime_.unregister(h);
    for (auto& h : state_->micro_handles) runtime_.unregister(h);
  } catch (...) {  // the runtime was shut down first: nothing left to release
  }
  shard_handles_.clear();
  state_->micro_handles.clear();
}

void TaskTrainer::submit(const torch::Tensor& windows) {
  State& st = *state_;
  if (windows.dim() != 2 || windows.scalar_type() != torch::kLong) {
    throw InvalidArgument("training: windows must be a [batch, time + 1] int64 tensor");
  }
  auto record = std::make_shared<StepRecord>();
  record->inputs = split_micro_batches(windows, options_.micro_batches);
  record->losses.assign(record->inputs.size(), 0.0);
  record->tokens = count_targets(windows);
  if (record->tokens == 0) throw InvalidArgument("training: the batch has no target token");
  const double lr = options_.learning_rate_at(submitted_);
  record->tasks.reserve(2 * record->inputs.size() + shard_handles_.size());
  try {
    submit_tasks(*record, record, lr);
  } catch (...) {
    // A step is all or nothing: a part of the model must not take it alone.
    runtime_.cancel(record->tasks);
    for (auto& t : record->tasks) {
      try {
        t.wait();
      } catch (...) {  // cancelled or failed: the step is abandoned either way
      }
    }
    throw;
  }
  st.pending.push_back(std::move(record));
  ++submitted_;
}

void TaskTrainer::submit_tasks(StepRecord& rec, const std::shared_ptr<StepRecord>& record,
                               double lr) {
  State& st = *state_;
  for (std::size_t m = 0; m < rec.inputs.size(); ++m) {
    auto forward = runtime_.task(st.forward);
    auto backward = runtime_.task(st.backward);
    for (const auto& h : shard_handles_) {
      forward.read(h);
      backward.read(h);
    }
    rec.tasks.push_back(forward.read_write(st.micro_handles[m])
                            .args(record, static_cast<std::int64_t>(m))
                            .name(task_label("lm.forward", submitted_, m))
                            .submit());
    rec.tasks.push_back(backward.read_write(st.micro_handles[m])
                            .name(task_label("lm.backward", submitted_, m))
                            .submit());
  }
  for (std::size_t s = 0; s < shard_handles_.size(); ++s) {
    auto optimize = runtime_.task(st.optimize);
    optimize.read_write(shard_handles_[s]);
    for (const auto& h : st.micro_handles) optimize.read(h);
    rec.tasks.push_back(optimize.args(static_cast<std::int64_t>(s), lr)
                            .name(task_label("lm.adamw", submitted_, s))
                            .submit());
  }
}

StepResult TaskTrainer::next_result() {
  State& st = *state_;
  if (st.pending.empty()) throw InvalidArgument("training: no step was submitted");
  auto record = std::move(st.pending.front());
  st.pending.pop_front();
  // The forward tasks' arguments hold the record: dropping the handles breaks the cycle.
  std::vector<TaskHandle> tasks = std::move(record->tasks);
  record->tasks.clear();
  wait_all_of(tasks);
  StepResult result;
  for (double l : record->losses) result.loss += l;  // in micro-batch order
  result.tokens = record->tokens;
  return result;
}

StepResult TaskTrainer::step(const torch::Tensor& windows) {
  submit(windows);
  return next_result();
}

// --- the plain loop --------------------------------------------------------------------

StepResult reference_step(DecoderLM& model, torch::optim::AdamW& optimizer,
                          const torch::Tensor& windows, std::int64_t micro_batches) {
  torch::AutoGradMode grad(true);
  StepResult result;
  result.tokens = count_targets(windows);
  optimizer.zero_grad();
  for (const auto& part : split_micro_batches(windows, micro_batches)) {
    auto loss = model->loss_sum(part) / static_cast<double>(result.tokens);
    loss.backward();
    result.loss += loss.item<double>();
  }
  optimizer.step();
  return result;
}

}  // namespace tessera::nn
