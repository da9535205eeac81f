// The run-demo workload computes the same temperatures as a sequential run, bit for bit,
// under every policy.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <demo/heat_demo.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

class HeatDemo : public ::testing::TestWithParam<std::string> {};

TEST_P(HeatDemo, MatchesTheSequentialReference) {
  Runtime rt(testing::test_config(GetParam(), 2));
  for (std::size_t tiles : {1, 7, 32}) {
    demo::HeatOptions options;
    options.points = 10'000;
    options.tiles = tiles;
    options.steps = 25;
    const demo::HeatResult r = demo::run_heat(rt, options);
    EXPECT_TRUE(r.ok) << "tiles " << tiles << ": max diff " << r.max_abs_diff;
    EXPECT_EQ(r.total, r.reference);
  }
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, HeatDemo, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

TEST(HeatDemo, InconsistentOptionsAreRejected) {
  demo::HeatOptions o;
  o.points = 10;
  o.tiles = 11;
  EXPECT_THAT([&] { demo::validate(o); },
              ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("exceeds --points")));
  o.tiles = 2;
  o.alpha = 0.7;
  EXPECT_THROW(demo::validate(o), InvalidArgument);
}

}  // namespace
}  // namespace tessera
