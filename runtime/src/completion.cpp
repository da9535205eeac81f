// Engine: tasks becoming ready, completing (successors released, failures and
// cancellations passed on), and the threads that wait for them.

#include <algorithm>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "data_state.hpp"
#include "dependency_tracking.hpp"
#include "engine.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

// Wake-ups a completing worker may skip: it looks for work itself right after.
thread_local int tls_wake_credit __attribute__((tls_model("initial-exec"))) = 0;
// Cancelled tasks are completed iteratively (a long chain must not recurse).
thread_local std::vector<Task*>* tls_cancel_queue __attribute__((tls_model("initial-exec"))) =
    nullptr;

TaskStatus outcome(const Task& task) {
  if (task.error) return TaskStatus::failed;
  return task.doomed() ? TaskStatus::cancelled : TaskStatus::succeeded;
}

}  // namespace

void Engine::make_ready(Task* task) {
  if (task->doomed()) {
    complete_cancelled(task);
    return;
  }
  if (pause_depth_.load(std::memory_order_acquire) > 0) {
    std::lock_guard lock(hold_mutex_);
    if (pause_depth_.load(std::memory_order_relaxed) > 0 || releasing_) {
      held_.push_back(task);
      return;
    }
  }
  push_ready(task);
}

void Engine::push_ready(Task* task) {
  if (task->doomed()) {  // cancelled while held
    complete_cancelled(task);
    return;
  }
  if (task->is_external) {
    start_external(task);
    return;
  }
  // Read before push: from then on another worker may run, complete and free the task.
  const unsigned archs = task->runnable_archs;
  const WorkerId only = task->only_worker;
  WorkerId target = policy_->push(TaskView(task));
  if (target == kAnyWorker) target = only;
  const WorkerId self = current_worker();
  if (target == kAnyWorker) {
    // The finishing worker keeps one successor for itself, if it can run it.
    const bool self_can =
        self != kAnyWorker &&
        (archs & (1u << index_of(workers_[static_cast<std::size_t>(self)].arch))) != 0;
    if (tls_wake_credit > 0 && self_can) {
      --tls_wake_credit;
    } else {
      executor_->wake_any(archs);
    }
  } else if (target != self) {
    executor_->wake(target);
  }
}

void Engine::complete_cancelled(Task* task) {
  if (tls_cancel_queue != nullptr) {
    tls_cancel_queue->push_back(task);
    return;
  }
  std::vector<Task*> queue{task};
  tls_cancel_queue = &queue;
  while (!queue.empty()) {
    Task* t = queue.back();
    queue.pop_back();
    policy_->on_cancel(TaskView(t));
    complete(t);
  }
  tls_cancel_queue = nullptr;
}

void Engine::call_on_done(Task& task) {
  if (!task.on_done) return;
  const TaskCallback callback = std::move(task.on_done);
  task.on_done = nullptr;  // its captures are released with it, now
  const TaskEvent event{task.id,       task.display_name(), task.codelet->name, task.worker,
                        task.priority, task.start_us,       task.end_us,        outcome(task)};
  try {
    const CallbackScope in_callback;
    callback(event);
  } catch (...) {
    if (event.status == TaskStatus::succeeded) {
      const std::string name(task.display_name());
      task.error =
          std::make_exception_ptr(TaskFailed("task '" + name + "': its on_done callback failed: " +
                                                 message_of(std::current_exception()),
                                             name, std::current_exception()));
    } else {
      std::fprintf(stderr, "tessera: the on_done callback of task '%s' threw: %s\n",
                   std::string(task.display_name()).c_str(),
                   message_of(std::current_exception()).c_str());
    }
  }
}

void Engine::complete_on_worker(Task* task) {
  tls_wake_credit = 1;
  complete(task);
  tls_wake_credit = 0;
}

void Engine::complete(Task* task) {
  call_on_done(*task);
  const std::exception_ptr failure = task->error ? task->error : task->upstream_error;
  const bool cancelled_by_user = !failure && task->user_cancelled();
  TaskList successors;
  {
    std::lock_guard lock(task->lock);
    // Before `finished`: a concurrent add_edge that sees it finished reads the epoch.
    if (failure) task->failure_epoch = failure_epoch_.load(std::memory_order_acquire);
    task->finished = true;
    successors.assign(task->successors.begin(), task->successors.end());
    task->successors.clear();
  }
  if (failure) {
    if (task->error) {
      failures_.failed(task->error);
    } else {
      failures_.cancelled_by_failure();
    }
  }
  for (Task* successor : successors) {
    if (failure) {
      std::lock_guard lock(successor->lock);
      if (!successor->upstream_error) successor->upstream_error = failure;
    } else if (cancelled_by_user && successor->id < task->cancel_horizon) {
      // Submitted before the cancel() call: it depends on what this task would have done.
      std::lock_guard lock(successor->lock);
      successor->cancel_horizon = std::max(successor->cancel_horizon, task->cancel_horizon);
      successor->state.fetch_or(kTaskCancelRequested, std::memory_order_acq_rel);
    }
    if (successor->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) make_ready(successor);
  }
  for (Task* p : task->predecessors) release(p);
  task->predecessors.clear();
  for (const TaskAccess& a : task->accesses) {
    if (a.data->users.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
        unregistering_.load(std::memory_order_seq_cst) > 0)
      waiters_.notify_all();
  }
  // Dropping the data references here breaks the cycle data -> dependency state -> task.
  // The accesses themselves stay: policies may still read a finished predecessor's.
  for (TaskAccess& a : task->accesses) a.data.reset();
  if (task->state.fetch_or(kTaskDone, std::memory_order_acq_rel) & kTaskWaiter)
    waiters_.notify_all();
  // seq_cst against throttle()'s increment of throttled_ and its load of in_flight_.
  const std::int32_t left = in_flight_.fetch_sub(1, std::memory_order_seq_cst) - 1;
  if (left == 0) drained_.notify_all();
  if (throttled_.load(std::memory_order_seq_cst) > 0 && left <= config_.min_submitted)
    throttle_.notify_all();
  release(task);
}

// ---------------------------------------------------------------------------- waiting

void Engine::wait_all() {
  if (current_worker() != kAnyWorker) throw_if_inside_task("wait_all");
  if (paused()) {
    throw InvalidArgument(
        "wait_all() while the runtime is paused would never return: call resume() first");
  }
  executor_->drain(in_flight_, drained_);
  const std::exception_ptr report = failures_.take_report();
  if (!report) return;
  failure_epoch_.fetch_add(1, std::memory_order_acq_rel);  // reported: later tasks start afresh
  std::rethrow_exception(report);
}

void Engine::wait(Task& task) {
  std::uint32_t state = task.state.fetch_or(kTaskWaiter, std::memory_order_acq_rel) | kTaskWaiter;
  if ((state & kTaskDone) == 0) {
    if (current_worker() != kAnyWorker) throw_if_inside_task("TaskHandle::wait");
    if (paused()) {
      throw InvalidArgument("TaskHandle::wait on task '" + std::string(task.display_name()) +
                            "' while the runtime is paused would never return: call resume() "
                            "first");
    }
    waiters_.wait([&] { return (task.state.load(std::memory_order_acquire) & kTaskDone) != 0; });
  }
  if (task.error) std::rethrow_exception(task.error);
  const std::string name(task.display_name());
  if (task.upstream_error) {
    throw TaskFailed("task '" + name + "' was cancelled because a task it depends on failed: " +
                         message_of(task.upstream_error),
                     name, task.upstream_error);
  }
  if (task.user_cancelled()) throw TaskCancelled("task '" + name + "' was cancelled", name);
}

void Engine::shutdown() {
  if (stopped_.load(std::memory_order_acquire)) return;
  if (current_worker() != kAnyWorker) throw_if_inside_task("shutdown");
  std::exception_ptr resume_error;
  if (paused()) {
    // Shutting down a paused runtime runs what the pause held, as the final values must be
    // in the users' buffers. A policy hook that throws must not stop the shutdown.
    {
      std::lock_guard lock(hold_mutex_);
      pause_depth_.store(1, std::memory_order_release);
      releasing_ = false;
    }
    try {
      resume();
    } catch (...) {
      resume_error = std::current_exception();
    }
  }
  closed_.store(true, std::memory_order_release);
  throttle_.notify_all();
  executor_->drain(in_flight_, drained_);
  // Workers are joined by stop(); a thread that ended an external task may still be
  // notifying after the count reached 0: wait for it to leave.
  while (outside_completions_.load(std::memory_order_acquire) > 0) std::this_thread::yield();
  if (mover_) mover_->remove_all();  // every value back in host memory
  executor_->stop();
  stopped_.store(true, std::memory_order_release);
  failures_.warn_unreported();
  {
    std::lock_guard lock(models_mutex_);
    for (const auto& model : models_) model->flush();
  }
  if (!config_.trace_file.empty()) trace_->write_chrome_json(config_.trace_file, workers_);
  if (!config_.dot_file.empty()) graph_.write_dot(config_.dot_file);
  if (resume_error) std::rethrow_exception(resume_error);
}

}  // namespace tessera::detail
