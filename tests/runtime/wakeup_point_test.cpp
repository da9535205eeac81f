// WakeupPoint, the sleep every runtime thread uses: a notification wakes a sleeper at once,
// and a condition made true without any notification (a missed wake-up) is still seen
// within the bound, so a lost wake-up delays but never hangs.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "wakeup_point.hpp"

namespace tessera::detail {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TEST(WakeupPoint, ANotificationWakesTheSleeperBeforeTheBound) {
  WakeupPoint point;
  std::atomic<bool> ready{false};
  std::thread notifier([&] {
    std::this_thread::sleep_for(20ms);
    ready.store(true);
    point.notify_one();
  });
  const auto start = Clock::now();
  EXPECT_TRUE(point.wait_for([&] { return ready.load(); }, 10s));
  EXPECT_LT(Clock::now() - start, 5s);
  notifier.join();
}

TEST(WakeupPoint, WaitForGivesUpAfterItsBound) {
  WakeupPoint point;
  const auto start = Clock::now();
  EXPECT_FALSE(point.wait_for([] { return false; }, 30ms));
  EXPECT_GE(Clock::now() - start, 30ms);
}

TEST(WakeupPoint, AConditionMadeTrueWithoutNotificationIsSeenByThePoll) {
  WakeupPoint point;
  std::atomic<bool> ready{false};
  std::thread setter([&] {
    std::this_thread::sleep_for(30ms);
    ready.store(true);  // no notify: a missed wake-up
  });
  const auto start = Clock::now();
  point.wait([&] { return ready.load(); }, 10ms);
  EXPECT_TRUE(ready.load());
  EXPECT_LT(Clock::now() - start, 5s);
  setter.join();
}

}  // namespace
}  // namespace tessera::detail
