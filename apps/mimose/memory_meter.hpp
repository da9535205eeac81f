#pragma once
// Live and peak bytes of every LibTorch CPU allocation, and an optional hard limit on them.
// LibTorch's CPU allocator keeps no statistics, so the meter replaces it (c10 lets a program
// install its own CPU allocator) with one that forwards to the default allocator and counts.
//
//   auto& meter = tessera::mimose::MemoryMeter::instance();  // installs it on first use
//   meter.reset_peak();
//   ... train ...
//   std::size_t peak = meter.peak();
//
// With a limit, an allocation that would take the live bytes past it first asks the pressure
// handler to free memory (dynamic eviction), then throws BudgetExceeded: the budget is never
// exceeded silently. Only tensors allocated after installation are counted.

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>

#include <tessera/error.hpp>

namespace tessera::mimose {

// An allocation refused because it would pass the meter's limit.
class BudgetExceeded : public Error {
 public:
  BudgetExceeded(std::size_t requested, std::size_t live, std::size_t limit);
  std::size_t requested() const noexcept { return requested_; }
  std::size_t live() const noexcept { return live_; }
  std::size_t limit() const noexcept { return limit_; }

 private:
  std::size_t requested_, live_, limit_;
};

class MemoryMeter {
 public:
  // Frees memory when an allocation of `needed` more bytes than the limit allows is asked
  // for; returns false when it has nothing left to free.
  using PressureHandler = std::function<bool(std::size_t needed)>;

  // The process-wide meter; the first call installs it as LibTorch's CPU allocator (it is
  // never uninstalled: tensors it allocated may outlive any scope).
  static MemoryMeter& instance();

  std::size_t live() const noexcept { return live_.load(std::memory_order_relaxed); }
  std::size_t peak() const noexcept { return peak_.load(std::memory_order_relaxed); }
  // Starts a new peak from the live bytes.
  void reset_peak() noexcept { peak_.store(live(), std::memory_order_relaxed); }
  // Allocations refused since the meter was installed.
  std::size_t refusals() const noexcept { return refusals_.load(std::memory_order_relaxed); }

  // 0 removes the limit.
  void set_limit(std::size_t bytes) noexcept { limit_.store(bytes, std::memory_order_relaxed); }
  std::size_t limit() const noexcept { return limit_.load(std::memory_order_relaxed); }
  void set_pressure_handler(PressureHandler handler);

  // Called by the allocator (public for it only).
  void admit(std::size_t bytes);
  void on_allocated(std::size_t bytes) noexcept;
  void on_freed(std::size_t bytes) noexcept { live_.fetch_sub(bytes, std::memory_order_relaxed); }

 private:
  MemoryMeter() = default;
  std::atomic<std::size_t> live_{0}, peak_{0}, limit_{0}, refusals_{0};
  std::mutex pressure_mutex_;  // one eviction at a time (intra-op threads may allocate)
  PressureHandler pressure_;
};

// Sets a limit and a pressure handler for a scope, and removes both at its end.
class ScopedBudget {
 public:
  ScopedBudget(std::size_t limit, MemoryMeter::PressureHandler handler = {});
  ~ScopedBudget();
  ScopedBudget(const ScopedBudget&) = delete;
  ScopedBudget& operator=(const ScopedBudget&) = delete;
};

// Bytes as mebibytes, for messages and reports.
inline double mebibytes(double bytes) {
  return bytes / (1024.0 * 1024.0);
}

}  // namespace tessera::mimose
