#include <gtest/gtest.h>

#include <tessera/error.hpp>
#include <tessera/nn/decoding.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/runtime.hpp>

#include "nn_test_support.hpp"
#include "test_support.hpp"

namespace tessera::nn {
namespace {

// Greedy decoding without a cache that restarts its window as generate documents: once
// the window would pass the context, it keeps the last half-context of tokens.
std::vector<int> greedy_sliding_without_cache(DecoderLM& model, std::vector<int> tokens,
                                              int steps) {
  torch::NoGradGuard no_grad;
  const auto context = static_cast<std::size_t>(model->config().context);
  std::size_t start = 0;
  std::vector<int> out;
  for (int i = 0; i < steps; ++i) {
    if (tokens.size() - start > context) start = tokens.size() - context / 2;
    std::vector<std::int64_t> row(tokens.begin() + static_cast<std::ptrdiff_t>(start),
                                  tokens.end());
    const auto logits = model->forward(torch::tensor(row, torch::kLong).view({1, -1}));
    const int next = static_cast<int>(logits[0][logits.size(1) - 1].argmax().item<std::int64_t>());
    out.push_back(next);
    tokens.push_back(next);
  }
  return out;
}

TEST(Decoding, GreedyWithTheCacheEqualsGreedyWithout) {
  set_intra_op_threads(1);
  auto model = testing::toy_model(9);
  Runtime rt(tessera::testing::test_config("eager", 2));
  const std::vector<int> prompt = {5, 9, 12};
  const auto got =
      generate(rt, model, prompt, {.max_new_tokens = 8, .stop_at_eos = false, .sampling = {}});
  EXPECT_EQ(got, greedy_sliding_without_cache(model, prompt, 8));  // within the context: no restart
}

TEST(Decoding, SamplingIsReproducibleAndTopOneIsGreedy) {
  auto model = testing::toy_model(9);
  Runtime rt(tessera::testing::test_config("eager", 2));
  const std::vector<int> prompt = {5, 9};
  GenerateOptions sampled{
      .max_new_tokens = 10, .stop_at_eos = false, .sampling = {.temperature = 1.5, .seed = 4}};
  const auto a = generate(rt, model, prompt, sampled);
  const auto b = generate(rt, model, prompt, sampled);
  EXPECT_EQ(a, b);
  sampled.sampling.seed = 5;
  EXPECT_NE(generate(rt, model, prompt, sampled), a);
  GenerateOptions top1{
      .max_new_tokens = 10, .stop_at_eos = false, .sampling = {.temperature = 2.0, .top_k = 1}};
  EXPECT_EQ(
      generate(rt, model, prompt, top1),
      generate(rt, model, prompt, {.max_new_tokens = 10, .stop_at_eos = false, .sampling = {}}));
}

TEST(Decoding, RunsPastTheContextBySlidingTheWindow) {
  set_intra_op_threads(1);
  auto model = testing::toy_model(9);  // context 16
  Runtime rt(tessera::testing::test_config("eager", 1));
  const auto out =
      generate(rt, model, {5, 6, 7}, {.max_new_tokens = 40, .stop_at_eos = false, .sampling = {}});
  EXPECT_EQ(out, greedy_sliding_without_cache(model, {5, 6, 7}, 40));
}

TEST(Decoding, BadPromptsAndOptionsAreErrors) {
  auto model = testing::toy_model(9);
  Runtime rt(tessera::testing::test_config("eager", 1));
  EXPECT_THROW(generate(rt, model, {}, {}), InvalidArgument);
  EXPECT_THROW(generate(rt, model, {5, 64}, {}), InvalidArgument);
  EXPECT_THROW(Sampler({.temperature = -1}), InvalidArgument);
  EXPECT_THROW(Sampler({.top_k = -2}), InvalidArgument);
}

}  // namespace
}  // namespace tessera::nn
