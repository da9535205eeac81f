#pragma once
// Tasks: a codelet applied to data handles with access modes, plus by-value arguments, a
// priority, a name, optional explicit dependencies, where it may run, and a completion
// callback. Build one with Runtime::task() or submit in one call with Runtime::submit().

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <utility>

#include "tessera/access.hpp"
#include "tessera/arch.hpp"
#include "tessera/args.hpp"
#include "tessera/codelet.hpp"
#include "tessera/data.hpp"
#include "tessera/external.hpp"
#include "tessera/observer.hpp"
#include "tessera/worker.hpp"

namespace tessera {

class Runtime;

namespace detail {
struct Task;
class Engine;
struct Internals;
void retain(Task* task) noexcept;
void release(Task* task) noexcept;
}  // namespace detail

// One data access of a task.
struct DataAccess {
  DataHandle data;
  Access mode = Access::R;
};

// Called once when a task is done (succeeded, failed or cancelled); see TaskBuilder::on_done.
using TaskCallback = std::function<void(const TaskEvent&)>;

// Shared reference to a submitted task. Waiting on it rethrows the task's failure.
class TaskHandle {
 public:
  TaskHandle() = default;
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
  // pending until done(); then how it ended.
  TaskStatus status() const;
  // Blocks until done(). Throws TaskFailed if the task's kernel threw or if the task was
  // cancelled because a predecessor failed, TaskCancelled if it was cancelled by
  // Runtime::cancel. Must not be called from inside a task, nor while the runtime is paused
  // (the task might be one that the pause holds back).
  void wait() const;

  friend bool operator==(const TaskHandle& a, const TaskHandle& b) noexcept {
    return a.task_ == b.task_;
  }

 private:
  friend struct detail::Internals;
  explicit TaskHandle(detail::Task* task) noexcept : task_(task) {
    if (task_) detail::retain(task_);
  }
  detail::Task* task_ = nullptr;
};

// Fluent construction of one task; spent by submit().
class TaskBuilder {
 public:
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

  // Where the task may run, honoured by every policy: only on this worker (an id of
  // Runtime::workers()), or only on workers of this architecture. Both may be given; a task
  // that no worker of the runtime can run under them is refused at submit() with an error
  // naming it.
  TaskBuilder& on_worker(WorkerId worker);
  TaskBuilder& on_arch(Arch arch);

  // Called once when the task is done, on the thread that completed it (a worker, or the
  // thread that cancelled it), before its successors are released: TaskEvent::status says
  // whether it succeeded, failed or was cancelled. It may submit tasks; it must not wait. If
  // it throws for a task that succeeded, the task counts as failed (its successors are
  // cancelled and wait_all reports it).
  TaskBuilder& on_done(TaskCallback fn);

  template <class... Args>
  TaskBuilder& args(Args&&... values) {
    return set_args(ArgPack::make(std::forward<Args>(values)...));
  }
  TaskBuilder& set_args(ArgPack pack);
  // For Runtime::external_task builders: what to do when the task becomes ready.
  TaskBuilder& on_ready(ExternalReady fn);

  // Submits the task; throws RuntimeClosed after shutdown, InvalidArgument when no worker
  // can run it. With Config::max_submitted set, blocks while that many tasks are unfinished.
  TaskHandle submit();

 private:
  friend class Runtime;
  friend struct detail::Internals;
  TaskBuilder(detail::Engine& engine, const Codelet& codelet);
  detail::Task& task() const;
  detail::Engine* engine_;
  detail::Task* task_;
};

}  // namespace tessera
