// The replica protocol: reads share, writes invalidate, eviction keeps what is pinned and
// writes back what is only on the device.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "coherency.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

using Kind = Coherency::ActionKind;

int from_home(std::size_t, int, const std::vector<int>& valid) {
  return valid.front();
}

TEST(Coherency, ReadsShareWritesInvalidate) {
  Coherency c({1000, 100, 100});
  const std::size_t d = c.add_data(10);
  std::vector<Coherency::Action> actions;
  c.acquire(d, 1, Access::R, actions, from_home);
  ASSERT_EQ(actions.size(), 2u);
  EXPECT_EQ(actions[0].kind, Kind::allocate);
  EXPECT_EQ(actions[1].kind, Kind::copy);
  EXPECT_EQ(actions[1].from, 0);
  EXPECT_EQ(actions[1].to, 1);
  EXPECT_TRUE(c.valid(d, 0));
  EXPECT_TRUE(c.valid(d, 1));
  c.unpin(d, 1);

  actions.clear();
  c.acquire(d, 2, Access::RW, actions, from_home);  // a write on node 2
  EXPECT_TRUE(c.valid(d, 2));
  EXPECT_FALSE(c.valid(d, 0));  // stale
  EXPECT_FALSE(c.valid(d, 1));
  EXPECT_EQ(c.used(1), 0u);  // the stale device copy was freed
  c.unpin(d, 2);

  // Reading it back home copies from the only valid replica.
  actions.clear();
  c.acquire(d, 0, Access::R, actions, [](std::size_t, int, const std::vector<int>& valid) {
    EXPECT_EQ(valid, std::vector<int>{2});
    return valid.front();
  });
  ASSERT_EQ(actions.size(), 1u);  // home memory is always allocated
  EXPECT_EQ(actions[0].kind, Kind::copy);
  EXPECT_EQ(actions[0].from, 2);
}

TEST(Coherency, WriteOnlyNeedsNoCopy) {
  Coherency c({1000, 100});
  const std::size_t d = c.add_data(10);
  std::vector<Coherency::Action> actions;
  c.acquire(d, 1, Access::W, actions, from_home);
  ASSERT_EQ(actions.size(), 1u);  // room, but nothing to copy
  EXPECT_EQ(actions[0].kind, Kind::allocate);
  EXPECT_TRUE(c.valid(d, 1));
  EXPECT_FALSE(c.valid(d, 0));
}

TEST(Coherency, EvictsLeastRecentlyUsedCleanReplicasFirst) {
  Coherency c({1000, 30});  // room for three pieces of 10 bytes
  std::vector<std::size_t> d;
  for (int i = 0; i < 4; ++i) d.push_back(c.add_data(10));
  std::vector<Coherency::Action> actions;
  for (int i = 0; i < 3; ++i) {
    c.acquire(d[static_cast<std::size_t>(i)], 1, i == 1 ? Access::RW : Access::R, actions,
              from_home);
    c.unpin(d[static_cast<std::size_t>(i)], 1);
  }
  // d1 is dirty (only valid on node 1); d0 is the least recently used clean one.
  actions.clear();
  c.acquire(d[3], 1, Access::R, actions, from_home);
  ASSERT_FALSE(actions.empty());
  EXPECT_EQ(actions[0].kind, Kind::evict);
  EXPECT_EQ(actions[0].data, d[0]);
  EXPECT_TRUE(c.valid(d[1], 1));
  EXPECT_LE(c.used(1), 30u);
}

TEST(Coherency, DirtyVictimsAreWrittenBackAndPinnedOnesKept) {
  Coherency c({1000, 20});
  const std::size_t a = c.add_data(10), b = c.add_data(10), e = c.add_data(10);
  std::vector<Coherency::Action> actions;
  c.acquire(a, 1, Access::W, actions, from_home);  // dirty, stays pinned
  c.acquire(b, 1, Access::W, actions, from_home);  // dirty
  c.unpin(b, 1);
  actions.clear();
  c.acquire(e, 1, Access::R, actions, from_home);
  ASSERT_GE(actions.size(), 3u);
  EXPECT_EQ(actions[0].kind, Kind::writeback);
  EXPECT_EQ(actions[0].data, b);
  EXPECT_EQ(actions[1].kind, Kind::evict);
  EXPECT_TRUE(c.valid(b, 0));
  EXPECT_TRUE(c.valid(a, 1));  // pinned: never evicted
  // Everything pinned: no room can be made.
  EXPECT_THROW(c.acquire(b, 1, Access::R, actions, from_home), Error);
}

}  // namespace
}  // namespace tessera::detail
