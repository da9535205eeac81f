#include "tessera/progress.hpp"

#include <cmath>

#include "tessera/error.hpp"

namespace tessera {
namespace {

// 1234567 -> "1,234,567": counts of millions of tasks are read at a glance.
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3)
    digits.insert(static_cast<std::size_t>(at), ",");
  return digits;
}

std::int64_t nanoseconds(double seconds) {
  return static_cast<std::int64_t>(seconds * 1e9);
}

}  // namespace

ProgressMeter::ProgressMeter(Options options, std::function<std::uint64_t()> submitted)
    : options_(std::move(options)),
      submitted_(std::move(submitted)),
      start_(Clock::now()),
      next_ns_(0) {
  if (!(options_.period_seconds > 0) || !std::isfinite(options_.period_seconds) ||
      options_.period_seconds > 1e6) {
    throw InvalidArgument("progress period " + std::to_string(options_.period_seconds) +
                          " s must be in (0, 1e6]");
  }
  next_ns_ = nanoseconds(options_.period_seconds);
}

std::string ProgressMeter::line() const {
  const double elapsed = std::chrono::duration<double>(Clock::now() - start_).count();
  const std::uint64_t done = ended();
  const std::uint64_t total = submitted_ ? submitted_() : 0;
  const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0.0;
  char buffer[160];
  std::string text = options_.label + ": " + grouped(done);
  if (total >= done && total > 0) {
    std::snprintf(buffer, sizeof buffer, " of %s tasks done (%.1f%%)", grouped(total).c_str(),
                  100.0 * static_cast<double>(done) / static_cast<double>(total));
  } else {
    std::snprintf(buffer, sizeof buffer, " tasks done");
  }
  text += buffer;
  std::snprintf(buffer, sizeof buffer, " in %.1f s, %s tasks/s", elapsed,
                grouped(static_cast<std::uint64_t>(rate)).c_str());
  text += buffer;
  if (total > done && rate > 0) {
    std::snprintf(buffer, sizeof buffer, ", about %.0f s left",
                  static_cast<double>(total - done) / rate);
    text += buffer;
  }
  if (options_.virtual_clock) {
    std::snprintf(buffer, sizeof buffer, ", simulated time %.6g s",
                  clock_us_.load(std::memory_order_relaxed) / 1e6);
    text += buffer;
  }
  return text;
}

void ProgressMeter::on_task_end(const TaskEvent& task) {
  ended_.fetch_add(1, std::memory_order_relaxed);
  if (options_.virtual_clock) {
    double seen = clock_us_.load(std::memory_order_relaxed);
    while (task.end_us > seen &&
           !clock_us_.compare_exchange_weak(seen, task.end_us, std::memory_order_relaxed)) {
    }
  }
  const std::int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start_).count();
  std::int64_t due = next_ns_.load(std::memory_order_relaxed);
  if (now < due) return;
  // One thread prints; the others go back to their tasks at once.
  if (!next_ns_.compare_exchange_strong(due, now + nanoseconds(options_.period_seconds),
                                        std::memory_order_relaxed))
    return;
  std::lock_guard lock(print_mutex_);
  const std::string text = line();
  std::fprintf(options_.out, "%s\n", text.c_str());
  std::fflush(options_.out);
  lines_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace tessera
