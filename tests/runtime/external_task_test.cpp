// External tasks: ordered by their data accesses like any task, completed from another
// thread, failures propagate, and misuse is reported.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing.hpp"

#include <chrono>
#include <mutex>
#include <thread>

#include <tessera/tessera.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

Codelet add_one() {
  Codelet c("add_one");
  c.cpu([](TaskContext& ctx) {
    for (auto& x : ctx.vector<int>(0)) x += 1;
  });
  c.cuda([](TaskContext& ctx) {  // mock devices: host memory
    for (auto& x : ctx.vector<int>(0)) x += 1;
  });
  return c;
}

class ExternalTasks : public ::testing::TestWithParam<int> {  // parameter: mock devices
 protected:
  std::unique_ptr<Runtime> runtime() const {
    return detail::mock_device_runtime(testing::test_config("eager", 2), GetParam());
  }
};

TEST_P(ExternalTasks, RunInDependencyOrderAndEndFromAnotherThread) {
  std::vector<int> v(64, 0);
  std::mutex helpers_mutex;  // declared first: the helpers are joined before it goes
  std::vector<std::jthread> helpers;
  std::vector<int> seen;
  {
    const auto owned = runtime();
    Runtime& rt = *owned;
    auto h = rt.register_vector(std::span(v));
    const Codelet inc = add_one();
    for (int round = 0; round < 20; ++round) {
      rt.submit(inc, {{h, RW}});
      // Reads what the task wrote, then "receives" a new value, later, on another thread.
      rt.external_task("exchange " + std::to_string(round))
          .access(h, RW)
          .on_ready([&](ExternalTask t) {
            auto* data = static_cast<int*>(t.data(0));
            // The helper starts before emplace_back returns: it takes the lock before done(),
            // so that the next on_ready (on any worker) sees the vectors as this one left them.
            std::lock_guard lock(helpers_mutex);
            seen.push_back(data[0]);
            helpers.emplace_back([t, data, &helpers_mutex] {
              std::this_thread::sleep_for(std::chrono::milliseconds(1));
              for (int i = 0; i < 64; ++i) data[i] *= 2;
              { std::lock_guard wait_for_on_ready(helpers_mutex); }
              t.done();
            });
          })
          .submit();
    }
    rt.wait_all();
    rt.unregister(h);
  }
  // x -> (x + 1) * 2, twenty times, each external task seeing the value before it.
  int x = 0;
  for (int round = 0; round < 20; ++round) {
    ASSERT_EQ(seen[static_cast<std::size_t>(round)], x + 1) << round;
    x = (x + 1) * 2;
  }
  EXPECT_EQ(v[63], x);
}

INSTANTIATE_TEST_SUITE_P(Devices, ExternalTasks, ::testing::Values(0, 1));

TEST(ExternalTaskFailures, AFailureCancelsSuccessorsAndIsRethrownWithTheName) {
  Runtime rt(testing::test_config("eager", 2));
  std::vector<int> v(4, 0);
  auto h = rt.register_vector(std::span(v));
  rt.external_task("recv tile 7")
      .access(h, W)
      .on_ready([](ExternalTask t) {
        t.fail(std::make_exception_ptr(std::runtime_error("rank 1 went away")));
      })
      .submit();
  bool ran = false;
  Codelet c("after");
  c.cpu([&](TaskContext&) { ran = true; });
  rt.submit(c, {{h, R}});
  try {
    rt.wait_all();
    FAIL() << "no error";
  } catch (const TaskFailed& e) {
    EXPECT_THAT(e.what(), ::testing::HasSubstr("recv tile 7"));
    EXPECT_THAT(e.what(), ::testing::HasSubstr("rank 1 went away"));
  }
  EXPECT_FALSE(ran);
  // The runtime stays usable.
  rt.submit(c, {{h, R}});
  rt.wait_all();
  EXPECT_TRUE(ran);
}

TEST(ExternalTaskFailures, AThrowingOnReadyFailsTheTask) {
  Runtime rt(testing::test_config("eager", 1));
  std::vector<int> v(4, 0);
  auto h = rt.register_vector(std::span(v));
  rt.external_task("send")
      .access(h, R)
      .on_ready([](ExternalTask) { throw std::runtime_error("no route"); })
      .submit();
  EXPECT_THAT([&] { rt.wait_all(); },
              ::testing::ThrowsMessage<TaskFailed>(::testing::HasSubstr("no route")));
}

TEST(ExternalTaskFailures, MisuseIsReported) {
  Runtime rt(testing::test_config("eager", 1));
  std::vector<int> v(4, 0);
  auto h = rt.register_vector(std::span(v));
  EXPECT_THAT([&] { rt.external_task("x").access(h, R).submit(); },
              ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("has no on_ready")));
  EXPECT_THAT(
      [&] { rt.task(add_one()).on_ready([](ExternalTask) {}); },
      ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("not an external task")));
  EXPECT_THAT(
      [&] { rt.external_task("y").access(h, SCRATCH).on_ready([](ExternalTask) {}).submit(); },
      ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("SCRATCH")));
  std::optional<ExternalTask> kept;
  rt.external_task("z").access(h, R).on_ready([&](ExternalTask t) { kept = t; }).submit();
  ASSERT_TRUE(kept.has_value());
  EXPECT_THROW((void)kept->data(3), InvalidArgument);
  kept->done();
  rt.wait_all();
}

}  // namespace
}  // namespace tessera
