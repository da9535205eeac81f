// prio runs ready tasks by priority, highest first, submission order among equals.

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <random>
#include <vector>

#include "test_support.hpp"

namespace tessera {
namespace {

TEST(PrioPolicy, ReadyTasksRunInPriorityOrder) {
  Runtime rt(testing::test_config("prio", 1));
  std::atomic<bool> open{false};
  Codelet gate("gate");
  gate.cpu([&open](TaskContext&) {
    while (!open.load()) std::this_thread::yield();
  });
  std::mutex mutex;
  std::vector<std::pair<int, int>> order;  // (priority, submission index)
  Codelet record("record");
  record.cpu([&](TaskContext& ctx) {
    std::lock_guard lock(mutex);
    order.emplace_back(ctx.arg<int>(0), ctx.arg<int>(1));
  });
  // Top priority: the worker takes the gate first even if records are queued already.
  rt.task(gate).priority(1000).submit();
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    const int priority = static_cast<int>(rng() % 10) - 5;
    rt.task(record).priority(priority).args(priority, i).submit();
  }
  open = true;
  rt.wait_all();
  ASSERT_EQ(order.size(), 200u);
  for (std::size_t i = 1; i < order.size(); ++i) {
    const bool ordered =
        order[i - 1].first > order[i].first ||
        (order[i - 1].first == order[i].first && order[i - 1].second < order[i].second);
    EXPECT_TRUE(ordered) << "position " << i;
  }
}

TEST(PrioPolicy, RegistryListsEveryBuiltInPolicy) {
  for (const char* name : {"eager", "prio", "random", "ws", "lws"}) {
    EXPECT_TRUE(is_registered_policy(name)) << name;
  }
}

}  // namespace
}  // namespace tessera
