// Pause and resume: nothing starts while paused, the policy sees the whole batch before its
// first push, pauses nest, and the failure paths (wait while paused, resume without pause,
// shutdown while paused) say what is wrong or do the safe thing.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

class Pause : public ::testing::TestWithParam<std::string> {};

TEST_P(Pause, NothingRunsUntilResume) {
  std::vector<long> value(1, 0);
  Runtime rt(testing::test_config(GetParam(), 2));
  auto h = rt.register_vector(std::span(value));
  const Codelet inc = testing::increment_codelet();
  rt.pause();
  EXPECT_TRUE(rt.paused());
  for (int i = 0; i < 50; ++i) rt.submit(inc, {{h, RW}});
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(rt.unfinished_tasks(), 50);
  rt.resume();
  EXPECT_FALSE(rt.paused());
  rt.wait_all();
  rt.unregister(h);
  EXPECT_EQ(value[0], 50);
}

TEST_P(Pause, RandomGraphUnderPauseComputesWhatASequentialRunComputes) {
  // Independent chains joined by readers; submitted in one paused batch.
  constexpr int kHandles = 8;
  constexpr int kTasks = 400;
  std::vector<long> values(kHandles, 1), expected(kHandles, 1);
  Runtime rt(testing::test_config(GetParam(), 2));
  std::vector<VectorHandle> handles;
  for (long& v : values) handles.push_back(rt.register_vector(std::span(&v, 1)));
  Codelet mix("mix");
  mix.cpu([](TaskContext& ctx) {
    ctx.vector<long>(1)[0] = (ctx.vector<long>(1)[0] * 3 + ctx.vector<long>(0)[0]) % 1000003;
  });
  rt.pause();
  for (int t = 0; t < kTasks; ++t) {
    const int a = (t * 7) % kHandles, b = (t * 3 + 1) % kHandles;
    if (a == b) continue;
    rt.submit(mix, {{handles[a], R}, {handles[b], RW}});
    expected[b] = (expected[b] * 3 + expected[a]) % 1000003;
  }
  rt.resume();
  rt.wait_all();
  for (auto& h : handles) rt.unregister(h);
  EXPECT_EQ(values, expected);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Pause, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

// A central FIFO, the base of the test policies below.
class FifoTestPolicy : public Policy {
 public:
  WorkerId push(TaskView task) override {
    std::lock_guard lock(mutex_);
    queue_.push_back(task);
    return kAnyWorker;
  }
  TaskView pop(WorkerId) override {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return {};
    const TaskView task = queue_.front();
    queue_.erase(queue_.begin());
    return task;
  }

 private:
  std::mutex mutex_;
  std::vector<TaskView> queue_;
};

// A policy that records the order of the calls it gets (a FIFO otherwise).
class RecordingPolicy final : public FifoTestPolicy {
 public:
  std::string_view name() const override { return "test-recording"; }
  void on_submit(TaskView) override { log("submit"); }
  void on_batch_begin() override { log("begin"); }
  void on_batch_submitted() override { log("batch"); }
  WorkerId push(TaskView task) override {
    log("push");
    return FifoTestPolicy::push(task);
  }
  static std::vector<std::string> events() {
    std::lock_guard lock(log_mutex());
    return log_();
  }

 private:
  static std::mutex& log_mutex() {
    static std::mutex m;
    return m;
  }
  static std::vector<std::string>& log_() {
    static std::vector<std::string> l;
    return l;
  }
  static void log(std::string what) {
    std::lock_guard lock(log_mutex());
    log_().push_back(std::move(what));
  }
};

TEST(PauseHooks, PolicySeesTheWholeBatchBeforeTheFirstPush) {
  register_policy("test-recording", "records its calls",
                  [](const PolicyOptions&) { return std::make_unique<RecordingPolicy>(); });
  std::vector<long> value(1, 0);
  {
    Runtime rt(testing::test_config("test-recording", 2));
    auto h = rt.register_vector(std::span(value));
    const Codelet inc = testing::increment_codelet();
    rt.pause();
    for (int i = 0; i < 3; ++i) rt.submit(inc, {{h, RW}});
    rt.resume();
    rt.wait_all();
    rt.unregister(h);
  }
  EXPECT_EQ(value[0], 3);
  EXPECT_EQ(RecordingPolicy::events(),
            (std::vector<std::string>{"begin", "submit", "submit", "submit", "batch", "push",
                                      "push", "push"}));
}

TEST(PauseNesting, EachPauseNeedsItsResume) {
  std::vector<long> value(1, 0);
  Runtime rt(testing::test_config("eager", 2));
  auto h = rt.register_vector(std::span(value));
  const Codelet inc = testing::increment_codelet();
  rt.pause();
  rt.pause();
  rt.submit(inc, {{h, RW}});
  rt.resume();
  EXPECT_TRUE(rt.paused());
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(rt.unfinished_tasks(), 1);
  rt.resume();
  rt.wait_all();
  rt.unregister(h);
  EXPECT_EQ(value[0], 1);
}

TEST(PauseMisuse, ResumeWithoutPauseThrows) {
  Runtime rt(testing::test_config("eager", 2));
  EXPECT_THAT([&] { rt.resume(); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("without pause()")));
}

TEST(PauseMisuse, WaitingWhilePausedThrowsInsteadOfHanging) {
  std::vector<long> value(1, 0);
  Runtime rt(testing::test_config("eager", 2));
  auto h = rt.register_vector(std::span(value));
  const Codelet inc = testing::increment_codelet();
  rt.pause();
  TaskHandle t = rt.submit(inc, {{h, RW}});
  EXPECT_THAT([&] { rt.wait_all(); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("paused")));
  EXPECT_THAT([&] { t.wait(); }, ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("paused")));
  EXPECT_THAT([&] { rt.unregister(h); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("paused")));
  rt.resume();
  t.wait();
  rt.unregister(h);
  EXPECT_EQ(value[0], 1);
}

TEST(PauseMisuse, ShutdownWhilePausedRunsWhatWasHeld) {
  std::vector<long> value(1, 0);
  {
    Runtime rt(testing::test_config("lws", 2));
    auto h = rt.register_vector(std::span(value));
    const Codelet inc = testing::increment_codelet();
    rt.pause();
    for (int i = 0; i < 10; ++i) rt.submit(inc, {{h, RW}});
  }  // destroyed while paused
  EXPECT_EQ(value[0], 10);
}

TEST(PauseMisuse, PauseFromInsideATaskFailsThatTask) {
  Runtime rt(testing::test_config("eager", 2));
  Codelet pauser("pauser");
  pauser.cpu([&](TaskContext&) { rt.pause(); });
  rt.submit(pauser, {});
  EXPECT_THAT([&] { rt.wait_all(); }, ::testing::ThrowsMessage<TaskFailed>(
                                          HasSubstr("pause() was called from inside a task")));
  EXPECT_FALSE(rt.paused());
}

// A planning policy whose batch hook throws: resume() reports it after releasing the tasks,
// and a runtime destroyed while paused still shuts down cleanly.
class ThrowingBatchPolicy final : public FifoTestPolicy {
 public:
  std::string_view name() const override { return "test-throwing-batch"; }
  void on_batch_submitted() override { throw std::runtime_error("planner broke"); }
};

TEST(PauseMisuse, AThrowingBatchHookNeitherLosesTasksNorBreaksShutdown) {
  register_policy("test-throwing-batch", "throws in on_batch_submitted",
                  [](const PolicyOptions&) { return std::make_unique<ThrowingBatchPolicy>(); });
  std::vector<long> value(1, 0);
  {
    Runtime rt(testing::test_config("test-throwing-batch", 2));
    auto h = rt.register_vector(std::span(value));
    const Codelet inc = testing::increment_codelet();
    rt.pause();
    for (int i = 0; i < 5; ++i) rt.submit(inc, {{h, RW}});
    EXPECT_THAT([&] { rt.resume(); },
                ::testing::ThrowsMessage<std::runtime_error>(HasSubstr("planner broke")));
    rt.wait_all();
    EXPECT_EQ(value[0], 5);
    rt.pause();
    for (int i = 0; i < 5; ++i) rt.submit(inc, {{h, RW}});
  }  // the destructor resumes, the hook throws again: reported on stderr, shutdown completes
  EXPECT_EQ(value[0], 10);
}

TEST(PauseMidRun, TasksAlreadyRunningFinishAndNoNewOneStarts) {
  std::vector<long> value(1, 0);
  Runtime rt(testing::test_config("eager", 2));
  auto h = rt.register_vector(std::span(value));
  std::atomic<int> started{0};
  Codelet slow("slow");
  slow.cpu([&](TaskContext& ctx) {
    ++started;
    std::this_thread::sleep_for(2ms);
    ++ctx.vector<long>(0)[0];
  });
  for (int i = 0; i < 200; ++i) rt.submit(slow, {{h, RW}});
  std::this_thread::sleep_for(10ms);
  rt.pause();
  std::this_thread::sleep_for(10ms);  // the task running at pause() ends
  const int at_pause = started.load();
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(started.load(), at_pause);
  EXPECT_LT(at_pause, 200);
  rt.resume();
  rt.wait_all();
  rt.unregister(h);
  EXPECT_EQ(value[0], 200);
}

}  // namespace
}  // namespace tessera
