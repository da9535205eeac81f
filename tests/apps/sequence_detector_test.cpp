#include <gtest/gtest.h>

#include <logs/sequence_detector.hpp>
#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

// A log that repeats 0 1 2 3; the model must rank each next event first, and rank an
// event out of that order worse.
EventLog cycle_log(std::size_t lines) {
  EventLog log;
  log.templates = {"a", "b", "c", "d", "e"};
  for (std::size_t i = 0; i < lines; ++i) {
    log.events.push_back(static_cast<std::uint32_t>(i % 4));
    log.line_ids.push_back(i + 1);
  }
  return log;
}

void learns_the_cycle(const std::string& kind) {
  auto log = cycle_log(400);
  std::vector<Window> train;
  for (std::size_t b = 0; b + 20 <= 400; b += 20) train.push_back({b, b + 20, false});
  // A test window where the cycle breaks: event 4 (never seen) after 2 events.
  log.events.insert(log.events.end(), {0, 1, 4, 3, 0, 1, 2, 3});
  const Window odd{400, 408, true};
  Runtime rt{Config{}.with_ncpu(2).without_env()};
  SequenceModelOptions options;
  options.kind = kind;
  options.steps = 120;
  options.learning_rate = 1e-2;
  options.layers = 2;
  options.heads = 2;
  options.width = 16;
  SequenceDetector model(rt, log.templates.size(), options);
  model.fit(log, train);
  const auto ranks = model.ranks(log, {train[3], odd});
  ASSERT_EQ(ranks.size(), 2u);
  ASSERT_EQ(ranks[0].size(), 20u);
  // Past the first event (the start of a window can be any of the four), each is first.
  for (std::size_t i = 4; i < 20; ++i) EXPECT_EQ(ranks[0][i], 0u) << kind << " position " << i;
  ASSERT_EQ(ranks[1].size(), 8u);
  EXPECT_GE(ranks[1][2], 1u) << kind;
}

TEST(SequenceDetector, DeepLogLearnsARegularSequence) {
  learns_the_cycle("deeplog");
}

TEST(SequenceDetector, LogLanguageModelLearnsARegularSequence) {
  learns_the_cycle("loglm");
}

TEST(SequenceDetector, NamesBadOptions) {
  Runtime rt{Config{}.with_ncpu(1).without_env()};
  SequenceModelOptions options;
  options.kind = "gru";
  EXPECT_THROW(SequenceDetector(rt, 5, options), InvalidArgument);
  options.kind = "loglm";
  options.width = 10;
  options.heads = 3;
  EXPECT_THROW(SequenceDetector(rt, 5, options), InvalidArgument);
  options.heads = 2;
  SequenceDetector model(rt, 5, options);
  EXPECT_THROW(model.fit(cycle_log(10), {}), InvalidArgument);
  EXPECT_THROW(model.ranks(cycle_log(10), {{0, 4, false}}), InvalidArgument);
}

}  // namespace
}  // namespace tessera::logs
