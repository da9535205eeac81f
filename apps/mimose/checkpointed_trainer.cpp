#include "mimose/checkpointed_trainer.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <mutex>

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>
#include <torch/optim/adamw.h>
#include <torch/types.h>

#include <tessera/error.hpp>
#include <tessera/nn/tensors.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/nn/transformer.hpp>

#include "mimose/memory_meter.hpp"

namespace tessera::mimose {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// What a block (or the embedding) holds between its forward and its backward.
struct BlockState {
  torch::Tensor output;  // with the autograd tape, while the block keeps its activations
  torch::Tensor next;    // the output as a leaf: the next block's input, and its gradient
  bool evicted = false;  // DTR dropped the tape: recompute before the backward
  double last_use = 0;   // seconds into the iteration (DTR's staleness)
  double kept_bytes = 0;
  void clear() {
    output = torch::Tensor();
    next = torch::Tensor();
    evicted = false;
  }
};

struct BatchState {
  torch::Tensor tokens, padding, labels;
};

struct HeadState {
  double loss = 0;
};

}  // namespace

struct CheckpointedTrainer::State {
  Runtime& runtime;
  TrainerOptions options;
  nn::Classifier model{nullptr};
  std::vector<std::shared_ptr<nn::TensorSet>> shards;
  std::vector<std::unique_ptr<torch::optim::AdamW>> optimizers;
  std::shared_ptr<BatchState> batch = std::make_shared<BatchState>();
  std::shared_ptr<BlockState> embedding = std::make_shared<BlockState>();
  std::vector<std::shared_ptr<BlockState>> blocks;
  std::shared_ptr<HeadState> head = std::make_shared<HeadState>();
  ObjectHandle<BatchState> batch_handle;
  ObjectHandle<BlockState> embedding_handle;
  std::vector<ObjectHandle<BlockState>> block_handles;
  ObjectHandle<HeadState> head_handle;
  Codelet embed{"mimose.embed"}, forward{"mimose.forward"}, head_task{"mimose.head"},
      recompute{"mimose.recompute"}, backward{"mimose.backward"},
      embed_backward{"mimose.embed.backward"}, adamw{"mimose.adamw"};

  // The iteration being run (read by the kernels, written before submission).
  Plan plan;
  IterationMeasure measure;
  Clock::time_point started;
  std::size_t pinned = std::numeric_limits<std::size_t>::max();  // block in use (not evictable)
  std::mutex eviction_mutex;
  double evicted_bytes = 0;  // freed by DTR this iteration (added back to what blocks keep)

  State(Runtime& rt, TrainerOptions o) : runtime(rt), options(std::move(o)) {}

  const torch::Tensor& input_of(std::size_t i) const {
    return i == 0 ? embedding->next : blocks[i - 1]->next;
  }
  double now() const { return seconds_since(started); }

  // DTR: frees the kept block activation with the lowest cost / (bytes x staleness).
  bool evict_one() {
    std::lock_guard lock(eviction_mutex);
    const double t = now();
    std::size_t victim = blocks.size();
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < blocks.size(); ++i) {
      const auto& b = *blocks[i];
      if (i == pinned || !b.output.defined() || b.kept_bytes <= 0) continue;
      const double cost = std::max(measure.block_seconds[i], 1e-9);
      const double staleness = std::max(t - b.last_use, 1e-6);
      const double score = cost / (b.kept_bytes * staleness);
      if (score < best) {
        best = score;
        victim = i;
      }
    }
    if (victim == blocks.size()) return false;
    const double before = static_cast<double>(MemoryMeter::instance().live());
    blocks[victim]->output = torch::Tensor();  // the tape goes; the output stays in `next`
    evicted_bytes += before - static_cast<double>(MemoryMeter::instance().live());
    blocks[victim]->evicted = true;
    ++measure.evictions;
    measure.evicted[victim] = 'e';
    return true;
  }
};

namespace {

void initialize_optimizer_state(torch::optim::AdamW& optimizer) {
  // AdamW makes its moments at the first step; made now, they are part of every iteration's
  // base and the first step cannot fail halfway for lack of memory. Same values as lazily.
  for (auto& group : optimizer.param_groups()) {
    for (auto& p : group.params()) {
      auto state = std::make_unique<torch::optim::AdamWParamState>();
      state->step(0);
      state->exp_avg(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      state->exp_avg_sq(torch::zeros_like(p, torch::MemoryFormat::Preserve));
      optimizer.state()[c10::guts::to_string(p.unsafeGetTensorImpl())] = std::move(state);
    }
  }
}

// The allocation refused inside a task reaches the caller as itself, not as a TaskFailed.
[[noreturn]] void rethrow_budget_exceeded(const std::exception_ptr& error, std::size_t peak,
                                          std::size_t limit) {
  try {
    std::rethrow_exception(error);
  } catch (const BudgetExceeded&) {
    throw;
  } catch (const TaskFailed& failed) {
    if (failed.cause()) {
      try {
        std::rethrow_exception(failed.cause());
      } catch (const BudgetExceeded&) {
        throw;
      } catch (...) {  // converted on the way: rebuilt below
      }
    }
  } catch (...) {
  }
  throw BudgetExceeded(0, peak, limit);
}

}  // namespace

CheckpointedTrainer::CheckpointedTrainer(Runtime& runtime, TrainerOptions options)
    : state_(std::make_unique<State>(runtime, std::move(options))) {
  State& st = *state_;
  MemoryMeter::instance();  // count from the model on
  torch::manual_seed(st.options.seed);
  st.model = nn::Classifier(st.options.config, st.options.classes);
  const std::size_t layers = st.model->encoder->layers();
  st.shards = nn::parameter_shards(*st.model, std::max(st.options.shards, 1));
  for (auto& set : st.shards) {
    st.optimizers.push_back(std::make_unique<torch::optim::AdamW>(
        set->tensors(), torch::optim::AdamWOptions(st.options.learning_rate).weight_decay(0.01)));
    initialize_optimizer_state(*st.optimizers.back());
  }
  st.batch_handle = runtime.register_object(st.batch);
  st.embedding_handle = runtime.register_object(st.embedding);
  for (std::size_t i = 0; i < layers; ++i) {
    st.blocks.push_back(std::make_shared<BlockState>());
    st.block_handles.push_back(runtime.register_object(st.blocks.back()));
    st.block_handles.back().set_name("mimose.block." + std::to_string(i));
  }
  st.head_handle = runtime.register_object(st.head);
  State* s = &st;
  const nn::TorchTaskOptions with_grad{.intra_op_threads = st.options.threads, .grad = true};
  const nn::TorchTaskOptions without_grad{.intra_op_threads = st.options.threads, .grad = false};

  st.embed = nn::torch_codelet(
      "mimose.embed",
      [s](TaskContext&) {
        auto& e = *s->embedding;
        e.output = s->model->encoder->embed(s->batch->tokens);
        e.next = e.output.detach().requires_grad_(true);
      },
      with_grad);
  st.forward = nn::torch_codelet(
      "mimose.forward",
      [s](TaskContext& ctx) {
        const auto i = static_cast<std::size_t>(ctx.arg<std::int64_t>(0));
        auto& b = *s->blocks[i];
        auto& meter = MemoryMeter::instance();
        s->pinned = i;
        const double before = static_cast<double>(meter.live()) + s->evicted_bytes;
        const auto start = Clock::now();
        if (s->plan.checkpoint[i]) {
          torch::NoGradGuard no_grad;
          b.next = s->model->encoder->block(i, s->input_of(i), s->batch->padding);
          b.next.requires_grad_(true);
        } else {
          b.output = s->model->encoder->block(i, s->input_of(i), s->batch->padding);
          b.next = b.output.detach().requires_grad_(true);
          // What DTR evicted meanwhile was another block's: added back.
          b.kept_bytes = static_cast<double>(meter.live()) + s->evicted_bytes - before;
          s->measure.block_bytes[i] = b.kept_bytes;
        }
        s->measure.block_seconds[i] = seconds_since(start);
        b.last_use = s->now();
        s->pinned = std::numeric_limits<std::size_t>::max();
      },
      with_grad);
  st.head_task = nn::torch_codelet(
      "mimose.head",
      [s](TaskContext&) {
        auto& last = *s->blocks.back();
        const auto hidden = s->model->encoder->final_norm(last.next);
        const auto keep = (~s->batch->padding).unsqueeze(-1).to(hidden.dtype());
        const auto pooled = (hidden * keep).sum(1) / keep.sum(1).clamp_min(1.0);
        const auto logits = s->model->output(pooled);
        auto loss = torch::nn::functional::cross_entropy(logits, s->batch->labels);
        loss.backward();
        s->head->loss = loss.item<double>();
      },
      with_grad);
  st.recompute = nn::torch_codelet(
      "mimose.recompute",
      [s](TaskContext& ctx) {
        const auto i = static_cast<std::size_t>(ctx.arg<std::int64_t>(0));
        auto& b = *s->blocks[i];
        if (!s->plan.checkpoint[i] && !b.evicted) return;  // DTR kept it
        auto& meter = MemoryMeter::instance();
        s->pinned = i;
        const double before = static_cast<double>(meter.live()) + s->evicted_bytes;
        const auto start = Clock::now();
        b.output = s->model->encoder->block(i, s->input_of(i), s->batch->padding);
        b.evicted = false;
        if (s->plan.checkpoint[i]) {
          s->measure.block_bytes[i] = static_cast<double>(meter.live()) + s->evicted_bytes - before;
          s->measure.block_seconds[i] = seconds_since(start);
        }
        b.last_use = s->now();
      },
      with_grad);
  st.backward = nn::torch_codelet(
      "mimose.backward",
      [s](TaskContext& ctx) {
        const auto i = static_cast<std::size_t>(ctx.arg<std::int64_t>(0));
        auto& b = *s->blocks[i];
        s->pinned = i;
        if (!b.output.defined() || !b.next.grad().defined())
          throw Error("mimose.backward: block " + std::to_string(i) + " has no activations");
        torch::autograd::backward({b.output}, {b.next.grad()});
        b.clear();
        s->pinned = std::numeric_limits<std::size_t>::max();
      },
      with_grad);
  st.embed_backward = nn::torch_codelet(
      "mimose.embed.backward",
      [s](TaskContext&) {
        auto& e = *s->embedding;
        torch::autograd::backward({e.output}, {e.next.grad()});
        e.clear();
      },
      with_grad);
  st.adamw = nn::torch_codelet(
      "mimose.adamw",
      [s](TaskContext& ctx) {
        const auto shard = static_cast<std::size_t>(ctx.arg<std::int64_t>(0));
        s->optimizers[shard]->step();
        for (auto& p : s->shards[shard]->tensors()) p.mutable_grad() = torch::Tensor();
      },
      without_grad);
}

CheckpointedTrainer::~CheckpointedTrainer() {
  State& st = *state_;
  try {
    st.runtime.wait_all();
  } catch (...) {  // a failed iteration was reported by run()
  }
  try {
    st.runtime.unregister(st.batch_handle);
    st.runtime.unregister(st.embedding_handle);
    for (auto& h : st.block_handles) st.runtime.unregister(h);
    st.runtime.unregister(st.head_handle);
  } catch (...) {  // the runtime was shut down first
  }
}

std::size_t CheckpointedTrainer::blocks() const noexcept {
  return state_->blocks.size();
}

std::int64_t CheckpointedTrainer::parameters() const {
  return nn::count_parameters(*state_->model);
}

std::vector<float> CheckpointedTrainer::gradients() const {
  std::vector<float> flat;
  for (const auto& p : state_->model->parameters()) {
    const auto g = p.grad().defined() ? p.grad().contiguous() : torch::zeros_like(p);
    const float* data = g.data_ptr<float>();
    flat.insert(flat.end(), data, data + g.numel());
  }
  return flat;
}

void CheckpointedTrainer::drop_gradients() {
  for (auto& p : state_->model->parameters()) p.mutable_grad() = torch::Tensor();
}

IterationMeasure CheckpointedTrainer::run(const Batch& batch, const Plan& plan, std::size_t limit,
                                          bool step) {
  State& st = *state_;
  const std::size_t n = st.blocks.size();
  if (plan.checkpoint.size() != n || plan.group.size() != n)
    throw InvalidArgument("checkpointing plan for " + std::to_string(plan.checkpoint.size()) +
                          " blocks, the model has " + std::to_string(n));
  if (batch.rows < 1 || batch.length < 1 ||
      batch.tokens.size() != static_cast<std::size_t>(batch.rows * batch.length))
    throw InvalidArgument("training batch: tokens do not match rows x length");
  if (batch.length > st.options.config.context)
    throw InvalidArgument("training batch: " + std::to_string(batch.length) +
                          " tokens pass the model's context of " +
                          std::to_string(st.options.config.context));
  auto& meter = MemoryMeter::instance();
  st.plan = plan;
  st.measure = IterationMeasure{};
  st.measure.plan = plan;
  st.measure.input_size = batch.length;
  st.measure.block_bytes.assign(n, 0);
  st.measure.block_seconds.assign(n, 0);
  st.measure.evicted = plan.text();
  st.evicted_bytes = 0;
  {
    // The batch's own tensors are made before the base is taken.
    auto tokens = torch::tensor(std::vector<std::int64_t>(batch.tokens.begin(), batch.tokens.end()))
                      .view({batch.rows, batch.length});
    st.batch->tokens = tokens;
    st.batch->padding = tokens.eq(nn::Tokenizer::kPad);
    st.batch->labels = torch::tensor(batch.labels);
  }
  const std::size_t refusals = meter.refusals();
  st.measure.base_bytes = static_cast<double>(meter.live());
  meter.reset_peak();
  st.started = Clock::now();
  {
    ScopedBudget budget(
        limit, plan.dynamic_eviction
                   ? MemoryMeter::PressureHandler([s = &st](std::size_t) { return s->evict_one(); })
                   : MemoryMeter::PressureHandler());
    try {
      Runtime& rt = st.runtime;
      rt.task(st.embed).read(st.batch_handle).write(st.embedding_handle).submit();
      for (std::size_t i = 0; i < n; ++i) {
        rt.task(st.forward)
            .read(i == 0 ? st.embedding_handle : st.block_handles[i - 1])
            .read(st.batch_handle)
            .write(st.block_handles[i])
            .args(static_cast<std::int64_t>(i))
            .name("mimose.forward." + std::to_string(i))
            .submit();
      }
      rt.task(st.head_task)
          .read(st.batch_handle)
          .read_write(st.block_handles[n - 1])
          .write(st.head_handle)
          .submit();
      for (std::size_t i = n; i-- > 0;) {
        auto recompute = [&](std::size_t k) {
          rt.task(st.recompute)
              .read(k == 0 ? st.embedding_handle : st.block_handles[k - 1])
              .read(st.batch_handle)
              .read_write(st.block_handles[k])
              .args(static_cast<std::int64_t>(k))
              .name("mimose.recompute." + std::to_string(k))
              .submit();
        };
        if (plan.dynamic_eviction) {
          recompute(i);
        } else if (plan.group_ends_at(i)) {
          std::size_t first = i;
          while (first > 0 && plan.checkpoint[first - 1] && plan.group[first - 1] == plan.group[i])
            --first;
          for (std::size_t k = first; k <= i; ++k) recompute(k);
        }
        rt.task(st.backward)
            .read_write(st.block_handles[i])
            .read_write(i == 0 ? st.embedding_handle : st.block_handles[i - 1])
            .args(static_cast<std::int64_t>(i))
            .name("mimose.backward." + std::to_string(i))
            .submit();
      }
      rt.task(st.embed_backward).read_write(st.embedding_handle).submit();
      if (step) {
        for (std::size_t s = 0; s < st.shards.size(); ++s) {
          auto t = rt.task(st.adamw);
          t.read(st.embedding_handle);
          for (const auto& h : st.block_handles) t.read(h);
          t.args(static_cast<std::int64_t>(s)).submit();
        }
      }
      rt.wait_all();
    } catch (...) {
      const auto error = std::current_exception();
      try {
        st.runtime.wait_all();  // what was submitted before the failure ends first
      } catch (...) {           // the same failure, or its cancelled dependents
      }
      st.embedding->clear();
      for (auto& b : st.blocks) b->clear();
      drop_gradients();
      if (meter.refusals() != refusals) rethrow_budget_exceeded(error, meter.peak(), limit);
      std::rethrow_exception(error);
    }
  }
  st.measure.seconds = seconds_since(st.started);
  st.measure.peak_bytes = static_cast<double>(meter.peak());
  st.measure.loss = st.head->loss;
  // What a checkpointed block keeps: its float output.
  st.measure.output_bytes =
      static_cast<double>(batch.rows * batch.length * st.options.config.d_model) * sizeof(float);
  return st.measure;
}

}  // namespace tessera::mimose
