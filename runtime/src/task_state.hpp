#pragma once
// Internal representation of a task (detail::Task) and its reference counting.
//
// Lifetime: a task is created with one reference, the "execution reference", released when
// it completes. TaskHandles, the dependency state of data handles and the predecessor lists
// of pending tasks hold further references. Successor lists hold none: a successor is kept
// alive by its own execution reference until it completes, which is after its
// predecessors.

#include <atomic>
#include <boost/container/small_vector.hpp>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>

#include "task_pool.hpp"
#include "tessera/access.hpp"
#include "tessera/args.hpp"
#include "tessera/codelet.hpp"
#include "tessera/external.hpp"
#include "tessera/observer.hpp"
#include "tessera/policy.hpp"
#include "tessera/spin_mutex.hpp"
#include "tessera/task.hpp"
#include "tessera/worker.hpp"

namespace tessera::detail {

struct Data;
class Engine;

// One access of a task. `data` keeps the handle alive until the task completes, when it is
// dropped (a handle's dependency state holds tasks: keeping it would make a cycle). What a
// policy may still read of a finished predecessor (TaskView::access) is copied here at
// submission and never changes: policies read it concurrently with the completion.
struct TaskAccess {
  std::shared_ptr<Data> data;
  Access mode = Access::R;
  std::uint64_t data_id = 0;
  Data* identity = nullptr;
  DataLayout layout;
};

enum TaskStateBits : std::uint32_t {
  kTaskDone = 1u,
  kTaskWaiter = 2u,           // someone sleeps in wait(): completion must notify
  kTaskStarted = 4u,          // a worker began it (or its on_ready was called): too late to cancel
  kTaskCancelRequested = 8u,  // Runtime::cancel got there first: it must not run
};

struct Task {
  // Tasks come from TaskPool: see task_pool.hpp for why.
  static void* operator new(std::size_t bytes);
  static void operator delete(void* block, std::size_t bytes) noexcept;

  std::atomic<std::int32_t> refs{1};
  std::atomic<std::int32_t> pending{1};  // unfinished predecessors + the submission guard
  std::atomic<std::uint32_t> state{0};

  Engine* engine = nullptr;
  std::uint64_t id = 0;
  std::shared_ptr<const CodeletState> codelet;
  boost::container::small_vector<TaskAccess, 3> accesses;
  ArgPack args;
  std::string name;  // empty: the codelet's name
  int priority = 0;
  WorkerId only_worker = kAnyWorker;  // TaskBuilder::on_worker
  std::uint8_t arch_mask = 0xff;      // TaskBuilder::on_arch: bit index_of(arch)
  std::uint8_t runnable_archs = 0;    // at submission: implemented and allowed (arch_mask)
  TaskCallback on_done;
  Footprint footprint;
  double flops = 0.0;
  bool submitted = false;
  bool data_acquired = false;  // its replicas are pinned on its worker's node

  SpinMutex lock;  // guards finished, successors, upstream_error, cancel_horizon
  bool finished = false;
  boost::container::small_vector<Task*, 4> successors;      // no references (see above)
  boost::container::small_vector<Task*, 4> predecessors;    // referenced until completion
  boost::container::small_vector<Task*, 2> explicit_after;  // referenced until submission

  boost::container::small_vector<Data*, 1> commute_data;  // sorted by address
  std::exception_ptr error;                               // this task's own failure (a TaskFailed)
  std::exception_ptr upstream_error;                      // the failure that cancelled it
  std::uint64_t failure_epoch = 0;  // Engine::failure_epoch_ when it failed or was cancelled
  // Set before kTaskCancelRequested (Runtime::cancel, on it or on a task it depends on): the
  // tasks with an id below the horizon (submitted before that call) that depend on it are
  // cancelled with it; later ones run, and see the data it did not write.
  std::uint64_t cancel_horizon = 0;

  PolicySlot slot;
  WorkerId worker = kAnyWorker;
  double start_us = 0.0;
  double end_us = 0.0;
  int gpu_ticket = -1;  // a launched CUDA kernel's timing events (CudaWorkerContext)
  // External tasks (external.hpp): called when ready instead of being pushed to the policy.
  bool is_external = false;
  ExternalReady external;
  std::atomic<bool> external_ended{false};

  std::string_view display_name() const {
    return name.empty() ? std::string_view(codelet->name) : std::string_view(name);
  }
  bool failed_or_cancelled() const { return error || upstream_error; }
  bool user_cancelled() const {
    return (state.load(std::memory_order_acquire) & kTaskCancelRequested) != 0;
  }
  // Whether it must not run: cancelled by the user or by a failure upstream.
  bool doomed() const { return upstream_error || user_cancelled(); }
  TaskStatus status() const {
    if ((state.load(std::memory_order_acquire) & kTaskDone) == 0) return TaskStatus::pending;
    if (error) return TaskStatus::failed;
    return doomed() ? TaskStatus::cancelled : TaskStatus::succeeded;
  }
};

inline void* Task::operator new(std::size_t bytes) {
  return TaskPool::allocate(bytes);
}
inline void Task::operator delete(void* block, std::size_t bytes) noexcept {
  TaskPool::deallocate(block, bytes);
}

// The footprint of a submitted task: its codelet's footprint function, or the default one,
// of its data's shapes and its arguments.
Footprint footprint_of(const Task& task);

// The task whose kernel runs on this thread, if any (task_execution.cpp). Initial-exec:
// libtessera is linked, never dlopen'ed, and the general model costs a call per access.
extern thread_local Task* tls_running_task __attribute__((tls_model("initial-exec")));
// How many runtime callbacks (on_done, an external task's on_ready) this thread is inside:
// a submission from one never waits for the throttle (the thread may be the one that would
// release the tasks it waits for).
extern thread_local int tls_callback_depth __attribute__((tls_model("initial-exec")));
struct CallbackScope {
  CallbackScope() noexcept { ++tls_callback_depth; }
  ~CallbackScope() { --tls_callback_depth; }
  CallbackScope(const CallbackScope&) = delete;
  CallbackScope& operator=(const CallbackScope&) = delete;
};

inline Task* retained(Task* task) noexcept {
  task->refs.fetch_add(1, std::memory_order_relaxed);
  return task;
}

}  // namespace tessera::detail
