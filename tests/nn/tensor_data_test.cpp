#include <gtest/gtest.h>

#include <atomic>

#include <tessera/nn/tensors.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/runtime.hpp>

#include "nn_test_support.hpp"
#include "test_support.hpp"

namespace tessera::nn {
namespace {

TEST(TensorData, KernelsGetTheRegisteredTensorWithoutACopy) {
  Runtime rt(tessera::testing::test_config("eager"));
  auto t = torch::ones({4, 4});
  const void* address = t.data_ptr();
  auto handle = register_tensor(rt, t, "weights");
  std::atomic<const void*> seen{nullptr};
  auto scale = torch_codelet("scale", [&](TaskContext& ctx) {
    auto& x = tensor(ctx, 0);
    seen = x.data_ptr();
    x.mul_(2);
  });
  for (int i = 0; i < 3; ++i) rt.task(scale).read_write(handle).submit();
  rt.wait_all();
  EXPECT_EQ(seen.load(), address);
  EXPECT_EQ(t.sum().item<float>(), 16.0f * 8.0f);
}

TEST(TensorData, DependenciesAreInferredAsForAnyData) {
  // A chain of RW tasks interleaved with readers: every reader sees the value of the
  // writes submitted before it, under every policy.
  for (const auto& policy : tessera::testing::all_policies()) {
    Runtime rt(tessera::testing::test_config(policy));
    auto set = std::make_shared<TensorSet>();
    set->add("x", torch::zeros({1}));
    auto handle = register_tensors(rt, set);
    auto add = torch_codelet("add", [](TaskContext& ctx) { tensors(ctx, 0)[0].add_(1); });
    std::vector<float> seen(20, -1);
    auto read = torch_codelet("read", [&](TaskContext& ctx) {
      seen[static_cast<std::size_t>(ctx.arg<int>(0))] = tensors(ctx, 0).at("x").item<float>();
    });
    for (int i = 0; i < 20; ++i) {
      rt.task(add).read_write(handle).submit();
      rt.task(read).read(handle).args(i).submit();
    }
    rt.wait_all();
    for (int i = 0; i < 20; ++i) EXPECT_EQ(seen[static_cast<std::size_t>(i)], i + 1) << policy;
  }
}

TEST(TensorData, TorchTasksRunWithTheirThreadCountAndGradMode) {
  tessera::testing::ScopedEnv no_threads("TESSERA_TORCH_THREADS", nullptr);
  Runtime rt(tessera::testing::test_config("eager"));
  std::atomic<int> threads{0};
  std::atomic<bool> grad{true};
  auto probe = torch_codelet("probe",
                             [&](TaskContext&) {
                               threads = at::get_num_threads();
                               grad = torch::GradMode::is_enabled();
                             },
                             {.intra_op_threads = 2, .grad = false});
  rt.task(probe).submit();
  rt.wait_all();
  EXPECT_EQ(threads.load(), 2);
  EXPECT_FALSE(grad.load());
  auto with_grad = torch_codelet("grad",
                                 [&](TaskContext&) {
                                   threads = at::get_num_threads();
                                   grad = torch::GradMode::is_enabled();
                                 },
                                 {.grad = true});
  rt.task(with_grad).submit();
  rt.wait_all();
  EXPECT_TRUE(grad.load());
  EXPECT_EQ(threads.load(), 1);  // the default: one per CPU worker
}

TEST(TensorData, LibTorchErrorsBecomeTaskFailures) {
  Runtime rt(tessera::testing::test_config("eager"));
  auto bad = torch_codelet("bad matmul", [](TaskContext&) {
    (void)torch::matmul(torch::ones({2, 3}), torch::ones({2, 3}));
  });
  rt.task(bad).submit();
  try {
    rt.wait_all();
    FAIL() << "no failure";
  } catch (const TaskFailed& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("LibTorch"), std::string::npos) << what;
    EXPECT_EQ(what.find("frame #"), std::string::npos) << "backtrace leaked: " << what;
  }
}

TEST(TensorData, ParameterShardsCoverEveryParameterOnceInOrder) {
  auto model = testing::toy_model();
  const auto shards = parameter_shards(*model, 3);
  ASSERT_EQ(shards.size(), 3u);
  std::vector<std::string> names;
  std::int64_t total = 0;
  for (const auto& s : shards) {
    EXPECT_FALSE(s->empty());
    for (std::size_t i = 0; i < s->size(); ++i) names.push_back(s->name(i));
    total += s->numel();
  }
  std::vector<std::string> expected;
  for (const auto& p : model->named_parameters()) expected.push_back(p.key());
  EXPECT_EQ(names, expected);
  EXPECT_EQ(total, count_parameters(*model));
  EXPECT_EQ(parameter_shards(*model, 1000).size(), expected.size());
  EXPECT_THROW(parameter_shards(*model, 0), InvalidArgument);
}

}  // namespace
}  // namespace tessera::nn
