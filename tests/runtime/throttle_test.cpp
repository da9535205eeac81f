// Throttling: with Config::max_submitted, a producer faster than the workers never has more
// than that many tasks unfinished; submissions from inside tasks and while paused never wait;
// bad bounds are refused with a message naming them.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class Throttle : public ::testing::TestWithParam<std::string> {};

TEST_P(Throttle, AFastProducerStaysWithinTheBound) {
  constexpr long long kMax = 32;
  constexpr int kTasks = 3000;
  std::vector<long> cells(16, 0);
  Runtime rt(testing::test_config(GetParam(), 2).with_max_submitted(kMax));
  EXPECT_EQ(rt.config().max_submitted, kMax);
  EXPECT_EQ(rt.config().min_submitted, kMax - kMax / 10);
  std::vector<VectorHandle> handles;
  for (long& c : cells) handles.push_back(rt.register_vector(std::span(&c, 1)));
  Codelet slow("slow");
  slow.cpu([](TaskContext& ctx) {
    const auto until = std::chrono::steady_clock::now() + 20us;
    while (std::chrono::steady_clock::now() < until) {
    }
    ++ctx.vector<long>(0)[0];
  });
  std::int64_t most = 0;
  for (int i = 0; i < kTasks; ++i) {
    rt.submit(slow, {{handles[static_cast<std::size_t>(i) % handles.size()], RW}});
    most = std::max(most, rt.unfinished_tasks());
  }
  rt.wait_all();
  for (auto& h : handles) rt.unregister(h);
  EXPECT_LE(most, kMax);
  long total = 0;
  for (long c : cells) total += c;
  EXPECT_EQ(total, kTasks);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Throttle, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

TEST(ThrottleExemptions, TasksSubmittingTasksAndPausedSubmittersNeverWait) {
  std::vector<long> x(1, 0);
  Runtime rt(testing::test_config("lws", 2).with_max_submitted(2, 1));
  auto hx = rt.register_vector(std::span(x));
  const Codelet inc = testing::increment_codelet();
  Codelet spawner("spawner");
  spawner.cpu([&](TaskContext&) {
    for (int i = 0; i < 20; ++i) rt.submit(inc, {{hx, RW}});  // far beyond the bound
  });
  rt.submit(spawner, {});
  rt.wait_all();
  rt.pause();
  for (int i = 0; i < 20; ++i) rt.submit(inc, {{hx, RW}});
  EXPECT_EQ(rt.unfinished_tasks(), 20);
  rt.resume();
  rt.wait_all();
  rt.unregister(hx);
  EXPECT_EQ(x[0], 40);
}

TEST(ThrottleExemptions, CallbacksThatSubmitWhileResumeReleasesABatchNeverWait) {
  // resume() runs on_done of a cancelled held task on its own thread, with hundreds of held
  // tasks not pushed yet: a callback's submission must not wait for them.
  std::vector<long> x(1, 0);
  Runtime rt(testing::test_config("eager", 2).with_max_submitted(10));
  auto hx = rt.register_vector(std::span(x));
  const Codelet inc = testing::increment_codelet();
  rt.pause();
  TaskHandle first = rt.task(inc)
                         .read_write(hx)
                         .on_done([&](const TaskEvent&) {
                           rt.submit(inc, {{hx, RW}});
                         })
                         .submit();
  rt.cancel(first);
  for (int i = 0; i < 300; ++i) rt.submit(inc, {{hx, RW}});
  rt.resume();
  rt.wait_all();
  rt.unregister(hx);
  EXPECT_EQ(x[0], 301);  // every held task but the cancelled one, and the callback's
}

TEST(ThrottleConfig, BadBoundsAreNamed) {
  EXPECT_THAT([] { (void)Config{}.with_max_submitted(-1).without_env().resolved(); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("max_submitted = -1")));
  EXPECT_THAT([] { (void)Config{}.with_max_submitted(10, 10).without_env().resolved(); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("min_submitted = 10")));
  testing::ScopedEnv env("TESSERA_MAX_SUBMITTED", "lots");
  EXPECT_THAT([] { (void)Config{}.resolved(); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("TESSERA_MAX_SUBMITTED='lots'")));
}

TEST(ThrottleConfig, EnvironmentSetsTheBound) {
  testing::ScopedEnv max("TESSERA_MAX_SUBMITTED", "100");
  testing::ScopedEnv min("TESSERA_MIN_SUBMITTED", "50");
  const Config c = Config{}.resolved();
  EXPECT_EQ(c.max_submitted, 100);
  EXPECT_EQ(c.min_submitted, 50);
}

}  // namespace
}  // namespace tessera
