// The option lists that policies register (tessera policies --options NAME) against what
// their constructors accept.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

TEST(PolicyOptionLists, EveryListedOptionAcceptsItsDefault) {
  const std::vector<PolicyInfo> policies = registered_policies();
  ASSERT_GE(policies.size(), 10u);
  for (const PolicyInfo& policy : policies) {
    std::string all;
    for (const PolicyOptionInfo& option : policy.options) {
      EXPECT_FALSE(option.meaning.empty()) << policy.name << ": " << option.name;
      const std::string pair = option.name + "=" + option.default_value;
      EXPECT_NO_THROW(create_policy(policy.name + ":" + pair)) << policy.name << ":" << pair;
      all += (all.empty() ? "" : ",") + pair;
    }
    if (!all.empty()) {
      EXPECT_NO_THROW(create_policy(policy.name + ":" + all)) << policy.name << ":" << all;
    }
  }
}

TEST(PolicyOptionLists, AnOptionNotListedIsRefusedWithTheList) {
  for (const PolicyInfo& policy : registered_policies()) {
    try {
      create_policy(policy.name + ":no_such_option=1");
      ADD_FAILURE() << policy.name << " accepted an unknown option";
    } catch (const PolicyError& e) {
      const std::string message = e.what();
      EXPECT_THAT(message, HasSubstr("no option 'no_such_option'")) << policy.name;
      for (const PolicyOptionInfo& option : policy.options) {
        EXPECT_THAT(message, HasSubstr(option.name)) << policy.name;
      }
      if (policy.options.empty()) {
        EXPECT_THAT(message, HasSubstr("it takes none"));
      }
    }
  }
}

TEST(PolicyOptionLists, TheOptionsOfINSPIRITAndHEFTAreListed) {
  const PolicyInfo inspirit = policy_info("inspirit");
  EXPECT_GE(inspirit.options.size(), 20u);
  EXPECT_EQ(policy_info("heft").options.size(), 2u);
  EXPECT_TRUE(policy_info("eager").options.empty());
}

TEST(PolicyOptionLists, AnUnknownPolicyIsNamedWithTheKnownOnes) {
  try {
    policy_info("nope");
    ADD_FAILURE() << "no error";
  } catch (const PolicyError& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("unknown scheduling policy 'nope'"));
    EXPECT_THAT(std::string(e.what()), HasSubstr("inspirit"));
  }
}

}  // namespace
}  // namespace tessera
