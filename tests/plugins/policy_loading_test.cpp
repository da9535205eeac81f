// A policy loaded at run time from a shared object (the example of docs/policies.md).

#include <gtest/gtest.h>

#include <atomic>

#include "test_support.hpp"

namespace tessera {
namespace {

TEST(PolicyLoading, ExamplePolicyFromSharedObjectRunsTasks) {
  Runtime rt(testing::test_config(TESSERA_EXAMPLE_POLICY_SO, 2));
  EXPECT_EQ(rt.policy_name(), "lifo");
  std::atomic<int> count{0};
  std::vector<int> data(8, 0);
  auto h = rt.register_vector(std::span(data));
  Codelet inc("inc");
  inc.cpu([&count](TaskContext& ctx) {
    ++count;
    for (int& x : ctx.vector<int>(0)) ++x;
  });
  for (int i = 0; i < 1000; ++i) rt.submit(inc, {{h, RW}});
  rt.unregister(h);
  EXPECT_EQ(count.load(), 1000);
  EXPECT_EQ(data, std::vector<int>(8, 1000));
}

TEST(PolicyLoading, OptionsReachTheLoadedPolicy) {
  EXPECT_THROW(
      Runtime rt(testing::test_config(std::string(TESSERA_EXAMPLE_POLICY_SO) + ":colour=red")),
      PolicyError);
  Runtime rt(testing::test_config(std::string(TESSERA_EXAMPLE_POLICY_SO) + ":log=0"));
  EXPECT_EQ(rt.policy_name(), "lifo");
}

TEST(PolicyLoading, EnvironmentVariableSelectsTheSharedObject) {
  testing::ScopedEnv sched("TESSERA_SCHED", TESSERA_EXAMPLE_POLICY_SO);
  Runtime rt(Config{}.with_ncpu(1));
  EXPECT_EQ(rt.policy_name(), "lifo");
}

}  // namespace
}  // namespace tessera
