#pragma once
// WakeupPoint: where threads sleep until a condition that other threads make true, with a
// bound on each sleep.
//
// The sleeper checks its condition under the point's mutex before blocking, and a notifier
// takes that mutex after making the condition true and before notifying: so a notification
// can never fall between the check and the sleep. The bound is a second line of defence: a
// sleeper re-checks its condition at least every `limit`, so a missed notification would cost
// a short delay, never a hang. (A CI run once stalled for a minute with every thread asleep
// on std::atomic::wait, and a debugger attach let it finish; this type replaced those waits.)

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace tessera::detail {

class WakeupPoint {
 public:
  // Sleeps until `ready()` holds or `limit` passes; returns `ready()`.
  template <class Ready>
  bool wait_for(Ready&& ready, std::chrono::microseconds limit) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, limit, ready);
  }
  // Sleeps until `ready()` holds, re-checking it every `poll`.
  template <class Ready>
  void wait(Ready&& ready, std::chrono::microseconds poll = std::chrono::milliseconds(20)) {
    while (!wait_for(ready, poll)) {
    }
  }
  // Call after making a sleeper's condition true.
  void notify_one() {
    { std::lock_guard lock(mutex_); }
    cv_.notify_one();
  }
  void notify_all() {
    { std::lock_guard lock(mutex_); }
    cv_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
};

}  // namespace tessera::detail
