// A codelet that throws: the failure is re-thrown from the wait with the task's name, the
// tasks that depend on it are cancelled, and the runtime stays usable.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <stdexcept>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

class Failures : public ::testing::TestWithParam<std::string> {};

TEST_P(Failures, ExceptionIsRethrownFromWaitAllWithTheTaskName) {
  Runtime rt(testing::test_config(GetParam(), 2));
  int value = 0;
  auto h = rt.register_blob(&value, sizeof value);
  Codelet boom("boom");
  boom.cpu([](TaskContext&) { throw std::runtime_error("kernel exploded"); });
  Codelet inc("inc");
  inc.cpu([](TaskContext& ctx) { ++*static_cast<int*>(ctx.raw(0)); });

  rt.task(boom).read_write(h).name("the-bad-one").submit();
  TaskHandle dependent = rt.submit(inc, {{h, RW}});
  TaskHandle dependent2 = rt.submit(inc, {{h, RW}});
  try {
    rt.wait_all();
    FAIL() << "wait_all did not throw";
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("the-bad-one"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("kernel exploded"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("2 dependent task(s) were cancelled"));
    EXPECT_EQ(e.task_name(), "the-bad-one");
  }
  EXPECT_EQ(value, 0);  // the dependents never ran
  EXPECT_THROW(dependent.wait(), TaskFailed);
  try {
    dependent2.wait();
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("cancelled"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("kernel exploded"));
  }

  // Still usable: the error was reported once, new work runs.
  rt.submit(inc, {{h, RW}});
  EXPECT_NO_THROW(rt.wait_all());
  EXPECT_EQ(value, 1);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Failures, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

TEST(Failures, WaitOnTheFailedTaskRethrowsItsOwnError) {
  Runtime rt(testing::test_config("eager"));
  Codelet boom("boom");
  boom.cpu([](TaskContext&) { throw std::logic_error("bad state"); });
  TaskHandle t = rt.task(boom).name("solo").submit();
  try {
    t.wait();
    FAIL() << "wait did not throw";
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("task 'solo' (codelet 'boom') failed: bad state"));
    EXPECT_NE(e.cause(), nullptr);
  }
  EXPECT_THROW(rt.wait_all(), TaskFailed);
  EXPECT_NO_THROW(rt.wait_all());  // reported once
}

TEST(Failures, ALongChainBehindAFailureIsCancelledWithoutDeepRecursion) {
  Runtime rt(testing::test_config("lws"));
  int value = 0;
  auto h = rt.register_blob(&value, sizeof value);
  Codelet boom("boom");
  boom.cpu([](TaskContext&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    throw std::runtime_error("first");
  });
  Codelet inc("inc");
  inc.cpu([](TaskContext& ctx) { ++*static_cast<int*>(ctx.raw(0)); });
  rt.submit(boom, {{h, RW}});
  for (int i = 0; i < 100'000; ++i) rt.submit(inc, {{h, RW}});
  EXPECT_THROW(rt.wait_all(), TaskFailed);
  EXPECT_EQ(value, 0);
}

TEST(Failures, WaitingInsideATaskFailsThatTaskInsteadOfDeadlocking) {
  Runtime rt(testing::test_config("eager"));
  Codelet waiter("waiter");
  waiter.cpu([&rt](TaskContext&) { rt.wait_all(); });
  rt.submit(waiter, {});
  try {
    rt.wait_all();
    FAIL() << "wait_all did not throw";
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("would deadlock"));
  }
}

TEST(Failures, WrongArgumentTypeNamesBothTypes) {
  Runtime rt(testing::test_config("eager"));
  Codelet reader("reader");
  reader.cpu([](TaskContext& ctx) { (void)ctx.arg<float>(0); });
  rt.submit(reader, {}, 1.5);
  try {
    rt.wait_all();
    FAIL();
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("argument 0 has type double, requested as float"));
  }
}

TEST(Failures, WrongBufferTypeNamesTheBuffer) {
  Runtime rt(testing::test_config("eager"));
  std::vector<double> v(3);
  auto h = rt.register_vector(std::span(v));
  Codelet reader("reader");
  reader.cpu([](TaskContext& ctx) { (void)ctx.vector<float>(0); });
  Codelet as_matrix("as_matrix");
  as_matrix.cpu([](TaskContext& ctx) { (void)ctx.matrix<double>(0); });
  rt.submit(reader, {{h, R}});
  try {
    rt.wait_all();
    FAIL();
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()),
                HasSubstr("buffer 0 has 8-byte elements, but was read as float"));
  }
  rt.submit(as_matrix, {{h, R}});
  try {
    rt.wait_all();
    FAIL();
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("buffer 0 is a vector, not a matrix"));
  }
}

}  // namespace
}  // namespace tessera
