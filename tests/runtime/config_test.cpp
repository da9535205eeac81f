// Configuration by Config fields and TESSERA_* environment variables.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;
using testing::ScopedEnv;

TEST(Config, EnvironmentOverridesTheFields) {
  ScopedEnv ncpu("TESSERA_NCPU", "3");
  ScopedEnv sched("TESSERA_SCHED", "prio");
  Runtime rt(Config{}.with_ncpu(1).with_sched("eager").with_ncuda(0));  // GPU machines too
  EXPECT_EQ(rt.workers().size(), 3u);
  EXPECT_EQ(rt.policy_name(), "prio");
  EXPECT_EQ(rt.config().ncpu, 3);
}

TEST(Config, WithoutEnvIgnoresTheEnvironment) {
  ScopedEnv ncpu("TESSERA_NCPU", "3");
  Runtime rt(Config{}.with_ncpu(1).with_sched("eager").with_ncuda(0).without_env());
  EXPECT_EQ(rt.workers().size(), 1u);
}

TEST(Config, DefaultIsOneWorkerPerCore) {
  ScopedEnv ncpu("TESSERA_NCPU", nullptr);
  Runtime rt(Config{}.with_sched("eager"));
  EXPECT_GE(rt.workers().size(), 1u);
  EXPECT_EQ(rt.workers()[0].name, "cpu0");
}

TEST(Config, MalformedVariablesAreNamed) {
  {
    ScopedEnv ncpu("TESSERA_NCPU", "two");
    try {
      Runtime rt;
      FAIL();
    } catch (const InvalidArgument& e) {
      EXPECT_THAT(std::string(e.what()),
                  HasSubstr("TESSERA_NCPU='two' is not a non-negative integer"));
    }
  }
  {
    ScopedEnv bind("TESSERA_BIND", "maybe");
    EXPECT_THROW(Runtime rt, InvalidArgument);
  }
}

TEST(Config, ZeroWorkersIsAnError) {
  try {
    Runtime rt(testing::test_config("eager", 0));
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("no worker"));
  }
}

}  // namespace
}  // namespace tessera
