// Cancellation: cancelled tasks and their dependents do not run, their data keep their last
// values, wait_all does not call it a failure, tasks submitted afterwards run, and a task
// that started is not cancelled. Also submitting from inside a running task.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

// A task that holds its worker until `open` is set.
Codelet gate_codelet(std::atomic<bool>& open) {
  Codelet gate("gate");
  gate.cpu([&open](TaskContext&) {
    while (!open.load()) std::this_thread::sleep_for(100us);
  });
  return gate;
}

Codelet add_codelet() {
  Codelet add("add");
  add.cpu([](TaskContext& ctx) { ctx.vector<long>(0)[0] += ctx.arg<long>(0); });
  return add;
}

TEST(Cancel, CancelledTaskAndItsDependentsDoNotRunAndDataKeepTheirValues) {
  std::vector<long> x(1, 5), y(1, 7);
  std::atomic<bool> open{false};
  Runtime rt(testing::test_config("eager", 2));
  auto hx = rt.register_vector(std::span(x));
  auto hy = rt.register_vector(std::span(y));
  const Codelet gate = gate_codelet(open);
  const Codelet add = add_codelet();
  Codelet copy("copy");
  copy.cpu([](TaskContext& ctx) { ctx.vector<long>(1)[0] = ctx.vector<long>(0)[0]; });

  rt.submit(gate, {{hx, R}});
  TaskHandle writer = rt.submit(add, {{hx, RW}}, 100L);  // waits for the gate
  TaskHandle reader = rt.submit(copy, {{hx, R}, {hy, W}});
  EXPECT_TRUE(rt.cancel(writer));
  EXPECT_TRUE(rt.cancel(writer));  // again: still cancelled
  // Submitted after cancel(): it runs, and sees x's last value.
  TaskHandle later = rt.submit(add, {{hx, RW}}, 1L);
  open = true;
  EXPECT_NO_THROW(rt.wait_all());
  EXPECT_EQ(writer.status(), TaskStatus::cancelled);
  EXPECT_EQ(reader.status(), TaskStatus::cancelled);
  EXPECT_EQ(later.status(), TaskStatus::succeeded);
  EXPECT_THAT([&] { writer.wait(); },
              ::testing::ThrowsMessage<TaskCancelled>(HasSubstr("was cancelled")));
  EXPECT_THROW(reader.wait(), TaskCancelled);
  EXPECT_FALSE(rt.cancel(later));  // done
  rt.unregister(hx);
  rt.unregister(hy);
  EXPECT_EQ(x[0], 6);  // 5, +1 by the later task; the cancelled +100 never happened
  EXPECT_EQ(y[0], 7);
}

TEST(Cancel, AStartedTaskIsNotCancelled) {
  std::vector<long> x(1, 0);
  std::atomic<bool> open{false};
  std::atomic<bool> running{false};
  Runtime rt(testing::test_config("eager", 2));
  auto hx = rt.register_vector(std::span(x));
  Codelet slow("slow");
  slow.cpu([&](TaskContext& ctx) {
    running = true;
    while (!open.load()) std::this_thread::sleep_for(100us);
    ctx.vector<long>(0)[0] = 42;
  });
  TaskHandle t = rt.submit(slow, {{hx, RW}});
  while (!running.load()) std::this_thread::sleep_for(100us);
  EXPECT_FALSE(rt.cancel(t));
  open = true;
  rt.wait_all();
  EXPECT_EQ(t.status(), TaskStatus::succeeded);
  rt.unregister(hx);
  EXPECT_EQ(x[0], 42);
}

TEST(Cancel, CancellingARunningGraphStopsWhatHasNotStarted) {
  constexpr int kTasks = 400;
  std::vector<long> x(1, 0);
  Runtime rt(testing::test_config("lws", 2));
  auto hx = rt.register_vector(std::span(x));
  std::atomic<int> ran{0};
  Codelet step("step");
  step.cpu([&](TaskContext& ctx) {
    std::this_thread::sleep_for(200us);
    ++ctx.vector<long>(0)[0];
    ++ran;
  });
  std::vector<TaskHandle> chain;
  for (int i = 0; i < kTasks; ++i) chain.push_back(rt.submit(step, {{hx, RW}}));
  while (ran.load() < 10) std::this_thread::sleep_for(100us);
  const std::size_t cancelled = rt.cancel(chain);
  EXPECT_NO_THROW(rt.wait_all());
  rt.unregister(hx);
  EXPECT_GT(cancelled, 0u);
  EXPECT_EQ(static_cast<std::size_t>(ran.load()) + cancelled, static_cast<std::size_t>(kTasks));
  EXPECT_EQ(x[0], ran.load());
  int succeeded = 0;
  for (const TaskHandle& t : chain) succeeded += t.status() == TaskStatus::succeeded ? 1 : 0;
  EXPECT_EQ(succeeded, ran.load());
}

TEST(Cancel, FailuresAreStillReportedButUserCancellationsAreNot) {
  std::vector<long> x(1, 0), y(1, 0);
  std::atomic<bool> open{false};
  Runtime rt(testing::test_config("eager", 2));
  auto hx = rt.register_vector(std::span(x));
  auto hy = rt.register_vector(std::span(y));
  const Codelet gate = gate_codelet(open);
  const Codelet add = add_codelet();
  Codelet boom("boom");
  boom.cpu([](TaskContext&) { throw std::runtime_error("boom"); });
  rt.submit(gate, {{hx, R}, {hy, R}});
  rt.submit(boom, {{hx, RW}});
  rt.submit(add, {{hx, RW}}, 1L);  // cancelled by the failure
  TaskHandle dropped = rt.submit(add, {{hy, RW}}, 1L);
  rt.cancel(dropped);
  open = true;
  try {
    rt.wait_all();
    FAIL() << "the failure was not reported";
  } catch (const TaskFailed& e) {
    EXPECT_THAT(e.what(), HasSubstr("boom"));
    EXPECT_THAT(e.what(), HasSubstr("1 dependent task(s) were cancelled"));
  }
  rt.unregister(hx);
  rt.unregister(hy);
  EXPECT_EQ(x[0], 0);
  EXPECT_EQ(y[0], 0);
}

TEST(Cancel, NullAndForeignHandlesAreRefused) {
  Runtime rt(testing::test_config("eager", 1));
  EXPECT_THROW(rt.cancel(TaskHandle{}), InvalidArgument);
  Runtime other(testing::test_config("eager", 1));
  Codelet nop("nop");
  nop.cpu([](TaskContext&) {});
  TaskHandle t = other.submit(nop, {});
  EXPECT_THAT([&] { rt.cancel(t); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("another runtime")));
  other.wait_all();
}

// Every policy: tasks cancelled while held by a pause, or while queued in the policy behind
// busy workers, are skipped, and exactly the others run.
class CancelQueued : public ::testing::TestWithParam<std::string> {};

TEST_P(CancelQueued, HeldAndQueuedTasksAreSkipped) {
  constexpr int kTasks = 60;
  std::vector<long> cells(kTasks, 0);
  std::atomic<bool> open{false};
  Runtime rt(testing::test_config(GetParam(), 2));
  std::vector<VectorHandle> handles;
  for (long& c : cells) handles.push_back(rt.register_vector(std::span(&c, 1)));
  const Codelet add = add_codelet();
  // Both workers busy (a gate pinned on each, running): the tasks below are ready and
  // queued in the policy.
  std::atomic<int> gates_running{0};
  Codelet held_gate("held_gate");
  held_gate.cpu([&](TaskContext&) {
    ++gates_running;
    while (!open.load()) std::this_thread::sleep_for(100us);
  });
  rt.task(held_gate).on_worker(0).submit();
  rt.task(held_gate).on_worker(1).submit();
  while (gates_running.load() < 2) std::this_thread::sleep_for(100us);
  std::vector<TaskHandle> queued;
  for (int i = 0; i < kTasks / 2; ++i) queued.push_back(rt.submit(add, {{handles[i], RW}}, 1L));
  rt.pause();
  std::vector<TaskHandle> held;
  for (int i = kTasks / 2; i < kTasks; ++i) held.push_back(rt.submit(add, {{handles[i], RW}}, 1L));
  for (int i = 0; i < kTasks / 2; i += 2) {
    EXPECT_TRUE(rt.cancel(queued[i]));
    EXPECT_TRUE(rt.cancel(held[i]));
  }
  open = true;
  rt.resume();
  EXPECT_NO_THROW(rt.wait_all());
  for (auto& h : handles) rt.unregister(h);
  for (int i = 0; i < kTasks / 2; ++i) {
    EXPECT_EQ(cells[i], i % 2 == 0 ? 0 : 1) << "queued task " << i;
    EXPECT_EQ(cells[kTasks / 2 + i], i % 2 == 0 ? 0 : 1) << "held task " << i;
  }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, CancelQueued, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

// Submitting from inside a running task: the children are ordered after their parent by
// the usual rules, and wait_all waits for them too.
class NestedSubmission : public ::testing::TestWithParam<std::string> {};

TEST_P(NestedSubmission, ChildrenSubmittedByATaskRunAfterItAndAreWaitedFor) {
  std::vector<long> x(1, 1);
  Runtime rt(testing::test_config(GetParam(), 2));
  auto hx = rt.register_vector(std::span(x));
  Codelet twice("twice");
  twice.cpu([](TaskContext& ctx) { ctx.vector<long>(0)[0] *= 2; });
  Codelet parent("parent");
  parent.cpu([&](TaskContext& ctx) {
    ctx.vector<long>(0)[0] += 1;  // 1 -> 2
    // The children write x too: they wait for this task, then run in order.
    for (int i = 0; i < 3; ++i) rt.submit(twice, {{hx, RW}});
  });
  rt.submit(parent, {{hx, RW}});
  rt.wait_all();
  rt.unregister(hx);
  EXPECT_EQ(x[0], 16);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, NestedSubmission,
                         ::testing::ValuesIn(testing::all_policies()), testing::PolicyName{});

}  // namespace
}  // namespace tessera
