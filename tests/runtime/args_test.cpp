// Task arguments are passed by value and read back with a type check.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <memory>
#include <string>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

TEST(ArgPack, SmallArgumentsLiveInline) {
  ArgPack p = ArgPack::make(1, 2.5, 'c');
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.get<int>(0), 1);
  EXPECT_EQ(p.get<double>(1), 2.5);
  EXPECT_EQ(p.get<char>(2), 'c');
  const auto& [a, b, c] = p.as_tuple<int, double, char>();
  EXPECT_EQ(a + b + c, 1 + 2.5 + 'c');
}

TEST(ArgPack, LargeAndNonTrivialArgumentsMoveCorrectly) {
  std::array<double, 32> big{};
  big[31] = 9;
  auto shared = std::make_shared<int>(5);
  ArgPack p = ArgPack::make(big, std::string(100, 'x'), shared);
  ArgPack moved = std::move(p);
  EXPECT_EQ(p.size(), 0u);
  using Big = std::array<double, 32>;
  EXPECT_EQ(moved.get<Big>(0)[31], 9);
  EXPECT_EQ(moved.get<std::string>(1).size(), 100u);
  EXPECT_EQ(shared.use_count(), 2);
  moved = ArgPack::make(1);
  EXPECT_EQ(shared.use_count(), 1);  // destroyed on reassignment
}

TEST(ArgPack, ValuesAreCopiedAtSubmission) {
  Runtime rt(testing::test_config("eager", 1));
  std::string text = "before";
  std::string seen;
  Codelet show("show");
  show.cpu([&seen](TaskContext& ctx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    seen = ctx.arg<std::string>(0);
  });
  rt.submit(show, {}, text);
  text = "after";
  rt.wait_all();
  EXPECT_EQ(seen, "before");
}

TEST(ArgPack, MismatchesNameTheTypes) {
  ArgPack p = ArgPack::make(1L);
  try {
    (void)p.get<int>(0);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("argument 0 has type long, requested as int"));
  }
  try {
    (void)p.get<long>(3);
    FAIL();
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(std::string(e.what()), HasSubstr("the task has 1 argument(s)"));
  }
}

TEST(Codelet, ChangingACodeletDoesNotAffectCopiesOrSubmittedTasks) {
  Codelet a("a");
  a.cpu([](TaskContext&) {});
  Codelet b = a;
  b.cuda([](TaskContext&) {});
  EXPECT_FALSE(a.implements(Arch::cuda));
  EXPECT_TRUE(b.implements(Arch::cuda));
  EXPECT_TRUE(b.implements(Arch::cpu));
}

TEST(Access, ModesPrintAndValidate) {
  EXPECT_EQ(to_string(R), "R");
  EXPECT_EQ(to_string(RW | COMMUTE), "RW|COMMUTE");
  EXPECT_EQ(to_string(SCRATCH), "SCRATCH");
  EXPECT_EQ(to_string(static_cast<Access>(0x30)), "invalid(0x30)");
  EXPECT_FALSE(is_valid(R | COMMUTE));
  EXPECT_TRUE(is_valid(W | COMMUTE));
}

TEST(Footprint, EqualShapesGiveEqualKeys) {
  DataLayout a{DataKind::matrix, 8, 64, 64, 64};
  DataLayout b{DataKind::matrix, 8, 64, 64, 128};  // same shape, different padding
  DataLayout c{DataKind::matrix, 8, 32, 64, 64};
  std::array<DataLayout, 1> la{a}, lb{b}, lc{c};
  EXPECT_EQ(default_footprint({la}).key, default_footprint({lb}).key);
  EXPECT_NE(default_footprint({la}).key, default_footprint({lc}).key);
  EXPECT_EQ(default_footprint({la}).size, 64.0 * 64 * 8);
}

}  // namespace
}  // namespace tessera
