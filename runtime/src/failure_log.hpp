#pragma once
// FailureLog: the task failures since wait_all last reported, and the listener that hears of
// each as it happens. Tasks cancelled because of a failure are counted for the report; tasks
// cancelled with Runtime::cancel are not failures and never reach it.

#include <cstdint>
#include <exception>
#include <functional>
#include <mutex>

namespace tessera::detail {

using FailureListener = std::function<void(std::exception_ptr)>;

class FailureLog {
 public:
  void set_listener(FailureListener listener);
  // A task failed (`error`, a TaskFailed): remembered, and told to the listener (outside the
  // lock, on the calling thread).
  void failed(const std::exception_ptr& error);
  // A task was cancelled because a task it depends on failed.
  void cancelled_by_failure();
  // The report of wait_all: null if nothing failed since the last one; else a TaskFailed
  // for the first failure, its message counting the other failures and the cancellations.
  // Forgets what it reported.
  std::exception_ptr take_report();
  // Failures no wait_all reported (written to standard error at shutdown).
  void warn_unreported();

 private:
  std::mutex mutex_;
  std::exception_ptr first_;
  FailureListener listener_;
  std::uint64_t failures_ = 0;
  std::uint64_t cancelled_ = 0;
};

}  // namespace tessera::detail
