#include <gtest/gtest.h>

#include <tessera/error.hpp>
#include <tessera/nn/transformer.hpp>

#include "nn_test_support.hpp"

namespace tessera::nn {
namespace {

TEST(DecoderLM, IncrementalDecodingWithTheCacheEqualsAFullForward) {
  auto model = testing::toy_model();
  torch::NoGradGuard no_grad;
  const auto tokens = testing::toy_windows(2, 9).narrow(1, 0, 10);
  const auto full = model->forward(tokens);
  auto cache = model->make_cache();
  auto prefix = model->forward(tokens.narrow(1, 0, 6), &cache);
  EXPECT_EQ(cache.length(), 6);
  std::vector<torch::Tensor> steps = {prefix};
  for (int t = 6; t < 10; ++t) steps.push_back(model->forward(tokens.narrow(1, t, 1), &cache));
  const auto incremental = torch::cat(steps, 1);
  EXPECT_TRUE(torch::allclose(full, incremental, 1e-5, 1e-5));
  cache.truncate(7);
  EXPECT_EQ(cache.length(), 7);
  const auto redo = model->forward(tokens.narrow(1, 7, 1), &cache);
  EXPECT_TRUE(torch::allclose(redo, full.narrow(1, 7, 1), 1e-5, 1e-5));
}

TEST(DecoderLM, LayerByLayerEqualsForward) {
  auto model = testing::toy_model();
  torch::NoGradGuard no_grad;
  const auto tokens = testing::toy_windows(3, 7);
  auto x = model->embed(tokens);
  for (std::size_t i = 0; i < model->layers(); ++i) x = model->block(i, x);
  EXPECT_TRUE(torch::equal(model->head(x), model->forward(tokens)));
}

TEST(DecoderLM, IsCausal) {
  auto model = testing::toy_model();
  torch::NoGradGuard no_grad;
  auto a = testing::toy_windows(1, 9);
  auto b = a.clone();
  b[0][9] = (b[0][9].item<std::int64_t>() + 1) % 60 + 4;  // change the last token only
  EXPECT_TRUE(
      torch::allclose(model->forward(a).narrow(1, 0, 9), model->forward(b).narrow(1, 0, 9)));
}

TEST(DecoderLM, BadTokensAndPositionsAreErrors) {
  auto model = testing::toy_model();
  EXPECT_THROW(model->forward(torch::full({1, 17}, 5, torch::kLong)), InvalidArgument);
  EXPECT_THROW(model->forward(torch::full({1, 4}, 64, torch::kLong)), InvalidArgument);
  EXPECT_THROW(model->forward(torch::full({4}, 5, torch::kLong)), InvalidArgument);
}

TEST(Encoder, PaddingDoesNotChangeTheRealPositions) {
  torch::manual_seed(1);
  Classifier classifier(testing::toy_config(), 3);
  SpanReader reader(testing::toy_config());
  torch::NoGradGuard no_grad;
  const auto tokens = testing::toy_windows(1, 5);  // [1, 6]
  const auto padded = torch::cat({tokens, torch::full({1, 4}, 3, torch::kLong)}, 1);
  auto mask = torch::zeros({1, 10}, torch::kBool);
  mask.narrow(1, 6, 4).fill_(true);
  EXPECT_TRUE(torch::allclose(classifier(tokens), classifier(padded, mask), 1e-5, 1e-5));
  const auto spans = reader(padded, mask);
  EXPECT_EQ(spans.sizes(), (std::vector<std::int64_t>{1, 10, 2}));
  EXPECT_TRUE(torch::allclose(reader(tokens), spans.narrow(1, 0, 6), 1e-5, 1e-5));
}

TEST(Lora, StartsAsTheBaseModelTrainsOnlyAdaptersAndMerges) {
  auto model = testing::toy_model();
  const auto tokens = testing::toy_windows(2, 7);
  torch::Tensor before;
  {
    torch::NoGradGuard no_grad;
    before = model->forward(tokens);
  }
  const auto base_params = count_parameters(*model);
  const auto adapted = apply_lora(*model, {.rank = 2, .alpha = 4, .targets = {"q", "v", "ff1"}});
  EXPECT_EQ(adapted, 6u);  // 3 projections x 2 blocks
  EXPECT_EQ(count_parameters(*model, /*trainable_only=*/true),
            2 * (2 * (16 * 2 + 2 * 16) + (2 * 16 + 32 * 2)));
  EXPECT_EQ(count_parameters(*model), base_params + count_parameters(*model, true));
  torch::NoGradGuard no_grad;
  EXPECT_TRUE(torch::allclose(model->forward(tokens), before));  // B starts at zero
  for (auto& p : model->parameters()) {
    if (p.requires_grad()) p.normal_(0, 0.1);
  }
  const auto adapted_out = model->forward(tokens);
  EXPECT_FALSE(torch::allclose(adapted_out, before));
  merge_lora(*model);
  EXPECT_TRUE(torch::allclose(model->forward(tokens), adapted_out, 1e-4, 1e-5));
  unmerge_lora(*model);
  EXPECT_TRUE(torch::allclose(model->forward(tokens), adapted_out, 1e-4, 1e-5));
  EXPECT_THROW(apply_lora(*model, {.targets = {"nope"}}), InvalidArgument);
}

}  // namespace
}  // namespace tessera::nn
