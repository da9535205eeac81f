#include "failure_log.hpp"

#include <cstdio>
#include <string>
#include <utility>

#include "tessera/error.hpp"

namespace tessera::detail {

void FailureLog::set_listener(FailureListener listener) {
  std::lock_guard lock(mutex_);
  listener_ = std::move(listener);
}

void FailureLog::failed(const std::exception_ptr& error) {
  FailureListener listener;
  {
    std::lock_guard lock(mutex_);
    ++failures_;
    if (!first_) first_ = error;
    listener = listener_;
  }
  if (listener) listener(error);
}

void FailureLog::cancelled_by_failure() {
  std::lock_guard lock(mutex_);
  ++cancelled_;
}

std::exception_ptr FailureLog::take_report() {
  std::exception_ptr first;
  std::uint64_t failures = 0;
  std::uint64_t cancelled = 0;
  {
    std::lock_guard lock(mutex_);
    first = std::exchange(first_, nullptr);
    failures = std::exchange(failures_, 0);
    cancelled = std::exchange(cancelled_, 0);
  }
  if (!first) return nullptr;
  try {
    std::rethrow_exception(first);
  } catch (const TaskFailed& task) {
    std::string message = task.what();
    if (failures > 1) message += "; " + std::to_string(failures - 1) + " other task(s) failed";
    if (cancelled > 0)
      message += "; " + std::to_string(cancelled) + " dependent task(s) were cancelled";
    return std::make_exception_ptr(TaskFailed(message, task.task_name(), task.cause()));
  } catch (...) {
    return std::current_exception();
  }
}

void FailureLog::warn_unreported() {
  std::lock_guard lock(mutex_);
  if (!first_) return;
  std::fprintf(stderr,
               "tessera: %llu task failure(s) were never reported by wait_all; the first: %s\n",
               static_cast<unsigned long long>(failures_), message_of(first_).c_str());
}

}  // namespace tessera::detail
