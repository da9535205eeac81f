#pragma once
// Exceptions thrown by Tessera. Every message names the bad input or the failing task.

#include <exception>
#include <stdexcept>
#include <string>

namespace tessera {

// Base of every Tessera exception.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A bad argument: invalid access mode, null handle, unknown policy, malformed value...
class InvalidArgument : public Error {
 public:
  using Error::Error;
};

// The runtime was shut down (or is shutting down) and cannot accept the request.
class RuntimeClosed : public Error {
 public:
  using Error::Error;
};

// A scheduling policy could not be created or loaded.
class PolicyError : public Error {
 public:
  using Error::Error;
};

// A task's codelet threw, or the task was cancelled because a predecessor failed. The
// message names the task; cause() is the original exception.
class TaskFailed : public Error {
 public:
  TaskFailed(std::string message, std::string task_name, std::exception_ptr cause)
      : Error(std::move(message)), task_name_(std::move(task_name)), cause_(std::move(cause)) {}
  const std::string& task_name() const noexcept { return task_name_; }
  const std::exception_ptr& cause() const noexcept { return cause_; }

 private:
  std::string task_name_;
  std::exception_ptr cause_;
};

// TaskHandle::wait on a task that Runtime::cancel kept from running (or that was cancelled
// with it). Cancellation is not a failure: wait_all does not report it.
class TaskCancelled : public Error {
 public:
  TaskCancelled(std::string message, std::string task_name)
      : Error(std::move(message)), task_name_(std::move(task_name)) {}
  const std::string& task_name() const noexcept { return task_name_; }

 private:
  std::string task_name_;
};

// The message of an exception in flight elsewhere: what() for std::exception, else
// "unknown exception". For reporting a std::exception_ptr (a task failure, a listener's).
std::string message_of(const std::exception_ptr& error);

}  // namespace tessera
