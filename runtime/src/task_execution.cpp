// Engine: a task on its worker — begin (cancellation, commute locks), data and kernel
// launch, waiting for a GPU kernel, end (statistics, model, observers); external tasks.

#include <algorithm>
#include <string>
#include <unordered_map>

#include "data_state.hpp"
#include "engine.hpp"
#include "host_allocation.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"
#include "tessera/task_context.hpp"

namespace tessera::detail {

thread_local Task* tls_running_task __attribute__((tls_model("initial-exec"))) = nullptr;
thread_local int tls_callback_depth __attribute__((tls_model("initial-exec"))) = 0;

namespace {

TaskEvent event_of(const Task& task, WorkerId worker, TaskStatus status) {
  return {task.id,       task.display_name(), task.codelet->name, worker,
          task.priority, task.start_us,       task.end_us,        status};
}

}  // namespace

bool Engine::acquire_commute_locks(Task* task) {
  for (std::size_t i = 0; i < task->commute_data.size(); ++i) {
    Data* data = task->commute_data[i];
    std::unique_lock lock(data->commute_mutex);
    if (data->commute_held) {
      // Park behind the holder; its release re-pushes us. Not started after all (so it may
      // still be cancelled): cleared before anyone can re-push it. Once parked, another
      // worker may run, complete and free it: our own reference keeps it while we give
      // back the locks we took.
      task->state.fetch_and(~kTaskStarted, std::memory_order_acq_rel);
      Task* keep = retained(task);
      data->parked.push_back(task);
      lock.unlock();
      release_commute_locks(keep, i);
      release(keep);
      return false;
    }
    data->commute_held = true;
  }
  return true;
}

void Engine::release_commute_locks(Task* task, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    Data* data = task->commute_data[i];
    std::vector<Task*> parked;
    {
      std::lock_guard lock(data->commute_mutex);
      data->commute_held = false;
      parked.swap(data->parked);
    }
    for (Task* t : parked) make_ready(t);
  }
}

void Engine::execute(Task* task, WorkerId worker) {
  if (!begin_task(task, worker)) return;
  launch_kernel(*task, worker);
  await_kernel(*task, worker);
  end_task(task, worker);
}

void Engine::launch(Task* task, WorkerId worker) {
  launch_kernel(*task, worker);
}

void Engine::finish(Task* task, WorkerId worker) {
  await_kernel(*task, worker);
  end_task(task, worker);
}

bool Engine::finished_on_device(Task* task, WorkerId worker) const {
  const CudaWorkerContext* cuda = cuda_contexts_[static_cast<std::size_t>(worker)].get();
  return cuda == nullptr || task->gpu_ticket < 0 || cuda->done(task->gpu_ticket);
}

bool Engine::pipelined(WorkerId worker) const {
  return workers_[static_cast<std::size_t>(worker)].arch == Arch::cuda;
}

bool Engine::begin_task(Task* task, WorkerId worker) {
  // Against Runtime::cancel's compare-exchange: exactly one of the two wins.
  const std::uint32_t before = task->state.fetch_or(kTaskStarted, std::memory_order_acq_rel);
  if (before & kTaskCancelRequested) {
    complete_cancelled(task);  // popped, never run
    return false;
  }
  // Parked behind another commuting task: it begins again when pushed again.
  if (!task->commute_data.empty() && !acquire_commute_locks(task)) return false;
  task->worker = worker;
  policy_->on_start(TaskView(task), worker);
  return true;
}

void Engine::notify_start(const Task& task, WorkerId worker) {
  if (!observers_.empty()) observers_.started(event_of(task, worker, TaskStatus::pending));
}

void Engine::fail_task(Task& task) {
  const std::string name(task.display_name());
  task.error =
      std::make_exception_ptr(TaskFailed("task '" + name + "' (codelet '" + task.codelet->name +
                                             "') failed: " + message_of(std::current_exception()),
                                         name, std::current_exception()));
}

void Engine::launch_kernel(Task& task, WorkerId worker) {
  const WorkerInfo& info = workers_[static_cast<std::size_t>(worker)];
  const Kernel& kernel = task.codelet->kernels[index_of(info.arch)];

  boost::container::small_vector<BufferView, 4> buffers;
  std::exception_ptr fetch_error;
  if (mover_) {
    // Device memory exists: the data may have to come to this worker's node first. On a
    // CUDA worker this copy overlaps the kernel its previous task still runs.
    try {
      mover_->acquire(task, info.memory_node, buffers);
      task.data_acquired = true;
    } catch (...) {
      fetch_error = std::current_exception();
    }
  } else {
    // Scratch buffers are private to the worker and reused between its tasks.
    thread_local std::unordered_map<std::uint64_t, std::vector<std::max_align_t>> scratch;
    for (const TaskAccess& a : task.accesses) {
      void* ptr = a.data->host_ptr;
      if (is_scratch(a.mode)) {
        auto& buffer = scratch[a.data->id];
        const std::size_t words = (a.data->layout.extent_bytes() + sizeof(std::max_align_t) - 1) /
                                  sizeof(std::max_align_t);
        if (buffer.size() < words) {
          try {
            allocate_host(words * sizeof(std::max_align_t),
                          "the scratch buffer of data #" + std::to_string(a.data->id),
                          [&] { buffer.resize(words); });
          } catch (...) {
            fetch_error = std::current_exception();  // the task fails; the worker goes on
          }
        }
        ptr = buffer.data();
      }
      buffers.push_back({ptr, a.data->layout, a.mode});
    }
  }
  CudaWorkerContext* cuda = cuda_contexts_[static_cast<std::size_t>(worker)].get();
  const DeviceContext* device = cuda != nullptr ? &cuda->context()
                                : info.arch == Arch::cuda
                                    ? &mock_contexts_[static_cast<std::size_t>(worker)]
                                    : nullptr;

  task.start_us = now_us();
  notify_start(task, worker);
  tls_running_task = &task;
  try {
    if (fetch_error) std::rethrow_exception(fetch_error);
    if (!kernel) {
      throw Error("policy '" + std::string(policy_->name()) + "' gave it to worker " + info.name +
                  ", which cannot run codelet '" + task.codelet->name + "'");
    }
    TaskContext context(task.display_name(),
                        std::span<const BufferView>(buffers.data(), buffers.size()), task.args,
                        worker, info.arch, info.memory_node, device);
    // A CUDA kernel only queues work on the worker's stream; await_kernel waits for it.
    if (cuda != nullptr) task.gpu_ticket = cuda->mark_start();
    kernel(context);
    if (cuda != nullptr) cuda->mark_end(task.gpu_ticket);
  } catch (...) {
    fail_task(task);
  }
  tls_running_task = nullptr;
  task.end_us = now_us();
}

void Engine::await_kernel(Task& task, WorkerId worker) {
  CudaWorkerContext* cuda = cuda_contexts_[static_cast<std::size_t>(worker)].get();
  if (cuda == nullptr || task.gpu_ticket < 0) return;
  const int ticket = std::exchange(task.gpu_ticket, -1);
  try {
    // The GPU's own clock times the kernel: the host only saw it queued.
    const double gpu_us = cuda->await(ticket);
    task.end_us = std::max(task.end_us, now_us());
    task.start_us = std::max(task.start_us, task.end_us - gpu_us);
  } catch (...) {
    if (!task.error) fail_task(task);
    task.end_us = now_us();
  }
}

void Engine::end_task(Task* task, WorkerId worker) {
  const WorkerInfo& info = workers_[static_cast<std::size_t>(worker)];
  const double duration = task->end_us - task->start_us;
  WorkerCounters& counters = counters_[static_cast<std::size_t>(worker)];
  counters.tasks.store(counters.tasks.load(std::memory_order_relaxed) + 1,
                       std::memory_order_relaxed);
  counters.busy_us.store(counters.busy_us.load(std::memory_order_relaxed) + duration,
                         std::memory_order_relaxed);
  if (!task->error && task->codelet->model) {
    task->codelet->model->record(info.arch, task->footprint, duration);
    remember_model(task->codelet->model);
  }
  if (!observers_.empty()) {
    observers_.ended(
        event_of(*task, worker, task->error ? TaskStatus::failed : TaskStatus::succeeded));
  }
  if (mover_ && task->data_acquired) mover_->release(*task, info.memory_node);
  policy_->on_finish(TaskView(task), worker);
  if (!task->commute_data.empty()) release_commute_locks(task, task->commute_data.size());
  complete_on_worker(task);
}

void Engine::remember_model(const std::shared_ptr<PerfModel>& model) {
  // Called for every task with a model: a lock-free look at the last one seen first.
  thread_local const Engine* last_engine __attribute__((tls_model("initial-exec"))) = nullptr;
  thread_local const PerfModel* last __attribute__((tls_model("initial-exec"))) = nullptr;
  if (last == model.get() && last_engine == this) return;
  last = model.get();
  last_engine = this;
  std::lock_guard lock(models_mutex_);
  if (std::find(models_.begin(), models_.end(), model) == models_.end()) models_.push_back(model);
}

// ---------------------------------------------------------------------------- external tasks

void Engine::start_external(Task* task) {
  const std::uint32_t before = task->state.fetch_or(kTaskStarted, std::memory_order_acq_rel);
  if (before & kTaskCancelRequested) {
    complete_cancelled(task);
    return;
  }
  try {
    if (mover_) {
      // The work happens on the host: bring the data home first.
      boost::container::small_vector<BufferView, 4> views;
      mover_->acquire(*task, 0, views);
      task->data_acquired = true;
    }
    const CallbackScope in_callback;
    task->external(ExternalTask(task));
  } catch (...) {
    finish_external(task, std::current_exception());
  }
}

void Engine::finish_external(Task* task, std::exception_ptr error) {
  // Called from any thread: the last completion may let wait_all return and the runtime be
  // destroyed while this thread still notifies; shutdown waits until no such call is left.
  struct OutsideCompletion {
    std::atomic<int>& count;
    explicit OutsideCompletion(std::atomic<int>& c) : count(c) {
      count.fetch_add(1, std::memory_order_acq_rel);
    }
    ~OutsideCompletion() { count.fetch_sub(1, std::memory_order_release); }  // the last touch
  } in_progress(outside_completions_);
  if (task->external_ended.exchange(true, std::memory_order_acq_rel)) {
    throw std::logic_error("external task '" + std::string(task->display_name()) +
                           "' was ended twice");
  }
  if (error) {
    const std::string name(task->display_name());
    task->error = std::make_exception_ptr(
        TaskFailed("task '" + name + "' failed: " + message_of(error), name, error));
  }
  if (mover_ && task->data_acquired) mover_->release(*task, 0);
  policy_->on_external_done(TaskView(task));  // the policy saw it submitted, never pushed
  task->external = nullptr;                   // may hold references the caller wants released
  complete(task);
}

}  // namespace tessera::detail
