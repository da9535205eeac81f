#pragma once
// Tasks: a codelet applied to data handles with access modes, plus by-value arguments, a
// priority, a name and optional explicit dependencies. Build one with Runtime::task() or
// submit in one call with Runtime::submit().

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>

#include "tessera/access.hpp"
#include "tessera/args.hpp"
#include "tessera/codelet.hpp"
#include "tessera/data.hpp"
#include "tessera/external.hpp"

namespace tessera {

namespace detail {
struct Task;
class Engine;
void retain(Task* task) noexcept;
void release(Task* task) noexcept;
}  // namespace detail

// One data access of a task.
struct DataAccess {
  DataHandle data;
  Access mode = Access::R;
};

// Shared reference to a submitted task. Waiting on it rethrows the task's failure.
class TaskHandle {
 public:
  TaskHandle() = default;
  explicit TaskHandle(detail::Task* task) noexcept : task_(task) {
    if (task_) detail::retain(task_);
  }
  TaskHandle(const TaskHandle& other) noexcept : TaskHandle(other.task_) {}
  TaskHandle(TaskHandle&& other) noexcept : task_(std::exchange(other.task_, nullptr)) {}
  TaskHandle& operator=(TaskHandle other) noexcept {
    std::swap(task_, other.task_);
    return *this;
  }
  ~TaskHandle() {
    if (task_) detail::release(task_);
  }

  bool valid() const noexcept { return task_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }
  std::uint64_t id() const;
  std::string name() const;
  // True once the task finished, failed or was cancelled.
  bool done() const;
  // Blocks until done(). Throws TaskFailed if the task's kernel threw or if the task was
  // cancelled because a predecessor failed. Must not be called from inside a task.
  void wait() const;

  detail::Task* get() const noexcept { return task_; }

 private:
  detail::Task* task_ = nullptr;
};

// Fluent construction of one task; spent by submit().
class TaskBuilder {
 public:
  TaskBuilder(detail::Engine& engine, const Codelet& codelet);
  TaskBuilder(TaskBuilder&& other) noexcept
      : engine_(other.engine_), task_(std::exchange(other.task_, nullptr)) {}
  TaskBuilder& operator=(TaskBuilder&&) = delete;
  TaskBuilder(const TaskBuilder&) = delete;
  TaskBuilder& operator=(const TaskBuilder&) = delete;
  ~TaskBuilder();

  // Throws InvalidArgument for a null handle or an invalid mode.
  TaskBuilder& access(const DataHandle& data, Access mode);
  TaskBuilder& read(const DataHandle& data) { return access(data, Access::R); }
  TaskBuilder& write(const DataHandle& data) { return access(data, Access::W); }
  TaskBuilder& read_write(const DataHandle& data) { return access(data, Access::RW); }
  TaskBuilder& scratch(const DataHandle& data) { return access(data, Access::SCRATCH); }
  TaskBuilder& commute(const DataHandle& data) {
    return access(data, Access::RW | Access::COMMUTE);
  }
  TaskBuilder& accesses(std::initializer_list<DataAccess> list);

  // Larger priorities run first under priority-aware policies (default 0).
  TaskBuilder& priority(int value);
  // Name shown in traces and error messages (default: the codelet's name).
  TaskBuilder& name(std::string value);
  // An explicit dependency on an earlier task, on top of the inferred ones.
  TaskBuilder& after(const TaskHandle& task);
  TaskBuilder& after(std::span<const TaskHandle> tasks);

  template <class... Args>
  TaskBuilder& args(Args&&... values) {
    return set_args(ArgPack::make(std::forward<Args>(values)...));
  }
  TaskBuilder& set_args(ArgPack pack);
  // For Runtime::external_task builders: what to do when the task becomes ready.
  TaskBuilder& on_ready(ExternalReady fn);

  // Submits the task; throws RuntimeClosed after shutdown.
  TaskHandle submit();
  // The task being built (runtime internals).
  detail::Task* pending() const noexcept { return task_; }

 private:
  detail::Task& task() const;
  detail::Engine* engine_;
  detail::Task* task_;
};

}  // namespace tessera
