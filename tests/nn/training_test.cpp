#include <gtest/gtest.h>

#include <cmath>

#include <tessera/error.hpp>
#include <tessera/nn/tensors.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/nn/training.hpp>
#include <tessera/runtime.hpp>

#include "nn_test_support.hpp"
#include "test_support.hpp"

namespace tessera::nn {
namespace {

// The documented tolerance of a task-graph step against the plain loop: both sum the same
// micro-batch gradients in the same order with one intra-op thread, so only the float
// rounding of the kernels that LibTorch picks per call can differ.
constexpr double kTolerance = 1e-6;

double max_difference(const DecoderLM& a, const DecoderLM& b) {
  double diff = 0;
  const auto pa = a->parameters();
  const auto pb = b->parameters();
  for (std::size_t i = 0; i < pa.size(); ++i) {
    diff = std::max(diff, (pa[i] - pb[i]).abs().max().item<double>());
  }
  return diff;
}

struct Case {
  std::string policy;
  int workers;
};

class TaskStepEqualsPlainLoop : public ::testing::TestWithParam<Case> {};

TEST_P(TaskStepEqualsPlainLoop, SameLossAndParameters) {
  set_intra_op_threads(1);
  const TrainOptions options{.micro_batches = 3, .learning_rate = 1e-2};
  auto reference = testing::toy_model(11);
  auto tasked = testing::toy_model(11);
  ASSERT_EQ(max_difference(reference, tasked), 0.0);
  torch::optim::AdamW optimizer(reference->parameters(), adamw_options(options));
  Runtime rt(tessera::testing::test_config(GetParam().policy, GetParam().workers));
  TaskTrainer trainer(rt, tasked, options);
  for (int step = 0; step < 3; ++step) {
    const auto windows = testing::toy_windows(7, 12, 64, 100 + step);
    const auto expected = reference_step(reference, optimizer, windows, options.micro_batches);
    const auto got = trainer.step(windows);
    EXPECT_EQ(got.tokens, expected.tokens);
    EXPECT_NEAR(got.loss, expected.loss, kTolerance * expected.loss) << "step " << step;
  }
  EXPECT_LE(max_difference(reference, tasked), kTolerance);
}

INSTANTIATE_TEST_SUITE_P(PoliciesAndWorkers, TaskStepEqualsPlainLoop,
                         ::testing::Values(Case{"eager", 1}, Case{"eager", 2}, Case{"dmda", 1},
                                           Case{"dmda", 2}, Case{"inspirit", 2}),
                         [](const auto& info) {
                           return info.param.policy + "_" + std::to_string(info.param.workers);
                         });

TEST(TaskTrainer, StepsInFlightGiveTheSameResultAsOneAtATime) {
  set_intra_op_threads(1);
  const TrainOptions options{
      .micro_batches = 2, .learning_rate = 5e-3, .warmup_steps = 2, .total_steps = 6};
  auto a = testing::toy_model(5);
  auto b = testing::toy_model(5);
  Runtime rt(tessera::testing::test_config("dmdas", 2));
  TaskTrainer one(rt, a, options);
  TaskTrainer queued(rt, b, options);
  std::vector<double> la, lb;
  for (int s = 0; s < 6; ++s) la.push_back(one.step(testing::toy_windows(4, 8, 64, s)).loss);
  for (int s = 0; s < 6; ++s) queued.submit(testing::toy_windows(4, 8, 64, s));
  for (int s = 0; s < 6; ++s) lb.push_back(queued.next_result().loss);
  EXPECT_EQ(la, lb);
  EXPECT_EQ(max_difference(a, b), 0.0);
  EXPECT_LT(la.back(), la.front());  // it learns something even from random tokens
}

TEST(TaskTrainer, ForwardOnOneWorkerAndBackwardOnAnother) {
  // The autograd tape recorded by a task on worker 0 is replayed by a task on worker 1.
  set_intra_op_threads(1);
  auto model = testing::toy_model(3);
  const auto windows = testing::toy_windows(2, 8);
  const auto params = model->parameters();
  std::vector<torch::Tensor> expected;
  {
    torch::AutoGradMode grad(true);
    expected = torch::autograd::grad({model->loss_sum(windows)}, params);
  }
  Runtime rt(tessera::testing::test_config("eager", 2));
  auto loss = register_tensor(rt, torch::zeros({1}), "loss");
  std::vector<torch::Tensor> grads;
  std::atomic<int> forward_worker{-1}, backward_worker{-1};
  auto forward = torch_codelet("forward",
                               [&](TaskContext& ctx) {
                                 forward_worker = static_cast<int>(ctx.worker());
                                 tensor(ctx, 0) = model->loss_sum(windows);
                               },
                               {.grad = true});
  auto backward = torch_codelet("backward",
                                [&](TaskContext& ctx) {
                                  backward_worker = static_cast<int>(ctx.worker());
                                  grads = torch::autograd::grad({tensor(ctx, 0)}, params);
                                },
                                {.grad = true});
  rt.task(forward).write(loss).on_worker(0).submit();
  rt.task(backward).read(loss).on_worker(1).submit();
  rt.wait_all();
  EXPECT_EQ(forward_worker.load(), 0);
  EXPECT_EQ(backward_worker.load(), 1);
  ASSERT_EQ(grads.size(), expected.size());
  for (std::size_t i = 0; i < grads.size(); ++i)
    EXPECT_TRUE(torch::equal(grads[i], expected[i])) << i;
}

TEST(TaskTrainer, PaddingTargetsAreNotCountedNorLearned) {
  set_intra_op_threads(1);
  auto windows = testing::toy_windows(4, 8);
  windows[1].narrow(0, 5, 4).fill_(Tokenizer::kPad);  // 4 padded targets in row 1
  EXPECT_EQ(count_targets(windows), 4 * 8 - 4);
  auto model = testing::toy_model(6);
  torch::NoGradGuard no_grad;
  // Row 1's padded targets add nothing: the batch's loss is the other rows' plus row 1 cut
  // before its padding.
  const auto others = torch::cat({windows.narrow(0, 0, 1), windows.narrow(0, 2, 2)});
  const double expected = model->loss_sum(others).item<double>() +
                          model->loss_sum(windows.narrow(0, 1, 1).narrow(1, 0, 5)).item<double>();
  EXPECT_NEAR(model->loss_sum(windows).item<double>(), expected, 1e-4);
}

TEST(TaskTrainer, BadOptionsAndBatchesAreErrors) {
  Runtime rt(tessera::testing::test_config("eager", 1));
  EXPECT_THROW(TaskTrainer(rt, testing::toy_model(), {.micro_batches = 0}), InvalidArgument);
  EXPECT_THROW(TaskTrainer(rt, testing::toy_model(), {.learning_rate = std::nan("")}),
               InvalidArgument);
  TaskTrainer trainer(rt, testing::toy_model(), {.micro_batches = 4});
  EXPECT_THROW(trainer.submit(testing::toy_windows(2, 8)), InvalidArgument);  // 2 rows, 4 parts
  EXPECT_THROW(trainer.submit(torch::zeros({2, 8})), InvalidArgument);        // not int64
  EXPECT_THROW(trainer.next_result(), InvalidArgument);
}

}  // namespace
}  // namespace tessera::nn
