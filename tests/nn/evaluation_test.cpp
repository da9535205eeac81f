#include <gtest/gtest.h>

#include <cmath>

#include <tessera/error.hpp>
#include <tessera/nn/evaluation.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/runtime.hpp>

#include "nn_test_support.hpp"
#include "test_support.hpp"

namespace tessera::nn {
namespace {

// A line's score computed alone, the plain way: [eos, ids...] -> [ids..., eos].
double plain_line_nats(DecoderLM& model, const std::vector<int>& ids) {
  torch::NoGradGuard no_grad;
  std::vector<std::int64_t> seq = {Tokenizer::kEos};
  seq.insert(seq.end(), ids.begin(), ids.end());
  seq.push_back(Tokenizer::kEos);
  const auto t = torch::tensor(seq, torch::kLong).view({1, -1});
  return model->loss_sum(t).item<double>();
}

TEST(Evaluation, LineScoresDoNotDependOnBatchingOrWorkers) {
  set_intra_op_threads(1);
  const auto lines = testing::toy_lines(30);
  const auto tok = Tokenizer::train(testing::toy_lines(), {.vocab_size = 60});
  torch::manual_seed(3);
  auto config = testing::toy_config(tok.vocab_size());
  config.context = 64;  // every toy line in one piece, as the plain computation needs
  DecoderLM model(config);
  Runtime one(tessera::testing::test_config("eager", 1));
  Runtime two(tessera::testing::test_config("dmda", 2));
  const auto a = score_lines(one, model, tok, lines, 1);
  const auto b = score_lines(two, model, tok, lines, 7);
  ASSERT_EQ(a.size(), lines.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(a[i].tokens, b[i].tokens);
    EXPECT_NEAR(a[i].nats, b[i].nats, 1e-4) << i;
    const auto ids = tok.encode(lines[i]);
    EXPECT_EQ(a[i].tokens, static_cast<std::int64_t>(ids.size()) + 1);
    EXPECT_NEAR(a[i].nats, plain_line_nats(model, ids), 1e-4) << i;
  }
  const auto p = perplexity_of(a);
  EXPECT_EQ(p.lines, 30);
  EXPECT_NEAR(p.perplexity, std::exp(p.loss), 1e-9);
  EXPECT_GT(p.perplexity, 20.0);  // untrained: near uniform over the vocabulary
}

TEST(Evaluation, LinesLongerThanTheContextAreScoredInChunks) {
  const auto tok = Tokenizer::train(testing::toy_lines(), {.vocab_size = 60});
  torch::manual_seed(3);
  DecoderLM model(testing::toy_config(tok.vocab_size()));  // context 16
  std::string longline;
  for (int i = 0; i < 12; ++i)
    longline += testing::toy_lines(12)[static_cast<std::size_t>(i)] + " ";
  ASSERT_GT(static_cast<std::int64_t>(tok.encode(longline).size()), 2 * model->config().context);
  Runtime rt(tessera::testing::test_config("eager", 2));
  const std::vector<std::string> lines = {longline, "", "the worker reads"};
  const auto s = score_lines(rt, model, tok, lines);
  EXPECT_EQ(s[0].tokens, static_cast<std::int64_t>(tok.encode(longline).size()) + 1);
  EXPECT_EQ(s[1].tokens, 0);
  EXPECT_GT(s[2].tokens, 0);
  EXPECT_TRUE(std::isfinite(s[0].nats));
}

TEST(Evaluation, AMismatchedTokenizerIsAnError) {
  const auto tok = Tokenizer::train(testing::toy_lines(), {.vocab_size = 60});
  auto model = testing::toy_model(1, tok.vocab_size() + 5);
  Runtime rt(tessera::testing::test_config("eager", 1));
  const std::vector<std::string> lines = {"x"};
  EXPECT_THROW(score_lines(rt, model, tok, lines), InvalidArgument);
}

}  // namespace
}  // namespace tessera::nn
