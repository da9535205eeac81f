// Data unregistration, explicit dependencies, shutdown with pending tasks, idle workers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <time.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "test_support.hpp"

namespace tessera {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

Codelet slow_set(int value, std::chrono::milliseconds delay) {
  Codelet c("slow_set");
  c.cpu([value, delay](TaskContext& ctx) {
    std::this_thread::sleep_for(delay);
    *static_cast<int*>(ctx.raw(0)) = value;
  });
  return c;
}

TEST(Unregister, WaitsForPendingUsersThenForbidsTheHandle) {
  Runtime rt(testing::test_config("lws"));
  int value = 0;
  auto h = rt.register_blob(&value, sizeof value);
  h.set_name("cell");
  rt.submit(slow_set(42, 50ms), {{h, W}});
  rt.unregister(h);  // must wait for the slow writer
  EXPECT_EQ(value, 42);
  EXPECT_FALSE(h.registered());
  try {
    rt.submit(slow_set(1, 0ms), {{h, W}});
    FAIL() << "submission with an unregistered handle did not throw";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("data 'cell' was unregistered"));
  }
  EXPECT_THROW(rt.unregister(h), InvalidArgument);
}

TEST(Unregister, RuntimeOwnedStorageIsZeroInitialised) {
  Runtime rt(testing::test_config("eager"));
  auto h = rt.register_vector(nullptr, 16, sizeof(double));
  double sum = -1;
  Codelet total("total");
  total.cpu([&sum](TaskContext& ctx) {
    sum = 0;
    for (double x : ctx.vector<double>(0)) sum += x;
  });
  rt.submit(total, {{h, R}});
  rt.wait_all();
  EXPECT_EQ(sum, 0.0);
}

TEST(ExplicitDependencies, AfterOrdersTasksWithoutSharedData) {
  Runtime rt(testing::test_config("ws"));
  std::atomic<int> step{0};
  int first_seen = -1;
  int second_seen = -1;
  Codelet first("first");
  first.cpu([&](TaskContext&) {
    std::this_thread::sleep_for(30ms);
    first_seen = step++;
  });
  Codelet second("second");
  second.cpu([&](TaskContext&) { second_seen = step++; });
  TaskHandle a = rt.task(first).submit();
  TaskHandle b = rt.task(second).after(a).submit();
  b.wait();
  EXPECT_TRUE(a.done());
  EXPECT_EQ(first_seen, 0);
  EXPECT_EQ(second_seen, 1);
}

TEST(ExplicitDependencies, AfterATaskThatAlreadyFinishedRunsAtOnce) {
  Runtime rt(testing::test_config("eager"));
  Codelet noop("noop");
  noop.cpu([](TaskContext&) {});
  TaskHandle a = rt.task(noop).submit();
  a.wait();
  TaskHandle b = rt.task(noop).after(a).submit();
  b.wait();
  EXPECT_TRUE(b.done());
}

TEST(Shutdown, DestructorRunsEveryPendingTask) {
  std::atomic<int> count{0};
  {
    Runtime rt(testing::test_config("lws"));
    Codelet work("work");
    work.cpu([&count](TaskContext&) {
      std::this_thread::sleep_for(100us);
      ++count;
    });
    for (int i = 0; i < 2000; ++i) rt.submit(work, {});
  }  // no wait_all: the destructor drains
  EXPECT_EQ(count.load(), 2000);
}

TEST(Shutdown, SubmissionAfterShutdownThrowsAndShutdownIsIdempotent) {
  Runtime rt(testing::test_config("eager"));
  Codelet noop("noop");
  noop.cpu([](TaskContext&) {});
  rt.submit(noop, {});
  rt.shutdown();
  rt.shutdown();
  try {
    rt.task(noop).name("late").submit();
    FAIL();
  } catch (const RuntimeClosed& e) {
    EXPECT_THAT(std::string(e.what()),
                HasSubstr("cannot submit task 'late': the runtime was shut down"));
  }
  EXPECT_THROW(rt.register_blob(nullptr, 8), RuntimeClosed);
}

double process_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

TEST(Workers, IdleWorkersSleepInsteadOfSpinning) {
  Runtime rt(testing::test_config("ws", 2));
  Codelet noop("noop");
  noop.cpu([](TaskContext&) {});
  for (int i = 0; i < 100; ++i) rt.submit(noop, {});
  rt.wait_all();
  std::this_thread::sleep_for(20ms);  // past the short polling phase
  const double before = process_cpu_seconds();
  std::this_thread::sleep_for(300ms);
  const double used = process_cpu_seconds() - before;
  // Two spinning workers would burn ~0.6 s of CPU here.
  EXPECT_LT(used, 0.05) << "idle workers used " << used << " s of CPU in 0.3 s";
  // And they wake up again for new work.
  rt.submit(noop, {}).wait();
}

TEST(Workers, EachWorkerIsBoundToOneCore) {
  Runtime rt(testing::test_config("eager", 2));
  if (static_cast<int>(std::thread::hardware_concurrency()) < 2) GTEST_SKIP() << "needs 2 cores";
  std::atomic<int> bad{0};
  Codelet probe("probe");
  probe.cpu([&bad](TaskContext&) {
    cpu_set_t set;
    CPU_ZERO(&set);
    sched_getaffinity(0, sizeof set, &set);
    if (CPU_COUNT(&set) != 1) ++bad;
  });
  for (int i = 0; i < 50; ++i) rt.submit(probe, {});
  rt.wait_all();
  EXPECT_EQ(bad.load(), 0);
  for (const WorkerInfo& w : rt.workers()) EXPECT_GE(w.core, 0);
}

TEST(Workers, StatsCountEveryTask) {
  Runtime rt(testing::test_config("lws", 2));
  Codelet noop("noop");
  noop.cpu([](TaskContext&) {});
  for (int i = 0; i < 500; ++i) rt.submit(noop, {});
  rt.wait_all();
  std::uint64_t total = 0;
  for (const WorkerStats& s : rt.worker_stats()) total += s.tasks;
  EXPECT_EQ(total, 500u);
  rt.reset_stats();
  for (const WorkerStats& s : rt.worker_stats()) EXPECT_EQ(s.tasks, 0u);
}

}  // namespace
}  // namespace tessera
