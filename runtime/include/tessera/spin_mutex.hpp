#pragma once
// SpinMutex: a lock for critical sections of a few instructions (a task's successor list,
// a policy's queue), where std::mutex's calls cost more than the section. A waiter spins
// with a CPU pause, then yields its core: with more threads than cores, the holder may be
// descheduled and must get the core back. It meets the Lockable requirements
// (std::lock_guard, std::unique_lock). Not for sections that block or take long.

#include <atomic>
#include <thread>

namespace tessera {

// Tells the CPU that this thread is spinning (x86 PAUSE, Arm YIELD): cheaper for the sibling
// hyperthread and the memory system than a tight loop.
inline void cpu_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class SpinMutex {
 public:
  void lock() noexcept {
    for (;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      for (int spins = 0; locked_.load(std::memory_order_relaxed); ++spins) {
        if (spins < 64) {
          cpu_pause();
        } else {
          std::this_thread::yield();
        }
      }
    }
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) &&
           !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  std::atomic<bool> locked_{false};
};

}  // namespace tessera
