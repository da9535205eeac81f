// Engine: submission, throttling, pause and resume, cancellation.

#include <algorithm>
#include <string>

#include "data_state.hpp"
#include "dependency_tracking.hpp"
#include "engine.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

// Bit index_of(arch) of every architecture the codelet implements.
unsigned implemented_archs(const CodeletState& codelet) {
  unsigned archs = 0;
  for (Arch a : kAllArchs) {
    if (codelet.kernels[index_of(a)]) archs |= 1u << index_of(a);
  }
  return archs;
}

std::string archs_of(const CodeletState& codelet) {
  std::string archs;
  for (Arch a : kAllArchs) {
    if (codelet.kernels[index_of(a)])
      archs += (archs.empty() ? "" : ", ") + std::string(to_string(a));
  }
  return archs;
}

}  // namespace

Task* Engine::new_task(const Codelet& codelet) {
  if (!codelet.implemented()) {
    throw InvalidArgument("codelet '" + codelet.name() +
                          "' has no implementation for any architecture");
  }
  auto task = std::make_unique<Task>();
  task->engine = this;
  task->codelet = codelet.state();
  return task.release();  // owned from now on by its reference count
}

void Engine::check_submittable(const Task& task) const {
  const std::string_view name = task.display_name();
  if (task.is_external && !task.external) [[unlikely]] {
    throw InvalidArgument("external task '" + std::string(name) + "' has no on_ready function");
  }
  if (task.only_worker != kAnyWorker &&
      (task.only_worker < 0 || static_cast<std::size_t>(task.only_worker) >= workers_.size()))
      [[unlikely]] {
    throw InvalidArgument(
        "task '" + std::string(name) + "': on_worker(" + std::to_string(task.only_worker) +
        "), but this runtime has workers 0 to " + std::to_string(workers_.size() - 1));
  }
  const bool implemented =
      task.is_external || (implemented_archs(*task.codelet) & worker_archs_) != 0;
  bool runnable = task.is_external;
  if (task.only_worker == kAnyWorker) {
    runnable = runnable || (task.runnable_archs & worker_archs_) != 0;
  } else {
    runnable = runnable || allowed_on(task, workers_[static_cast<std::size_t>(task.only_worker)]);
  }
  if (!implemented) [[unlikely]] {
    throw InvalidArgument("task '" + std::string(name) + "': codelet '" + task.codelet->name +
                          "' is implemented for " + archs_of(*task.codelet) +
                          " only, and this runtime has no such worker");
  }
  if (!runnable) [[unlikely]] {
    std::string where;
    if (task.only_worker != kAnyWorker) {
      const WorkerInfo& w = workers_[static_cast<std::size_t>(task.only_worker)];
      where = "worker " + std::to_string(w.id) + " (" + w.name + ", " +
              std::string(to_string(w.arch)) + ")";
    }
    for (Arch a : kAllArchs) {
      if (task.arch_mask != 0xff && (task.arch_mask & (1u << index_of(a))))
        where += (where.empty() ? "" : ", and on ") + std::string(to_string(a)) + " workers";
    }
    throw InvalidArgument("task '" + std::string(name) +
                          "': no worker of this runtime can run it (it may only run on " + where +
                          ", and codelet '" + task.codelet->name + "' is implemented for " +
                          archs_of(*task.codelet) + ")");
  }
  for (const TaskAccess& a : task.accesses) {
    if (is_scratch(a.mode) && a.data->layout.kind == DataKind::object) [[unlikely]] {
      throw InvalidArgument("task '" + std::string(name) + "': SCRATCH access to object '" +
                            a.data->display_name() +
                            "' (an object has no shape to make a private buffer of)");
    }
    if (task.is_external && is_scratch(a.mode)) [[unlikely]] {
      throw InvalidArgument("external task '" + std::string(name) + "': SCRATCH access to '" +
                            a.data->display_name() + "' (external tasks have no scratch buffers)");
    }
    if (a.data->owner != this) [[unlikely]] {
      throw InvalidArgument("task '" + std::string(name) + "': data '" + a.data->display_name() +
                            "' belongs to another runtime");
    }
    if (!a.data->registered.load(std::memory_order_acquire)) [[unlikely]] {
      throw InvalidArgument("task '" + std::string(name) + "': data '" + a.data->display_name() +
                            "' was unregistered");
    }
  }
  for (const Task* t : task.explicit_after) {
    if (t->engine != this) {
      throw InvalidArgument("task '" + std::string(name) +
                            "': it depends on a task of another runtime");
    }
    if (!t->submitted) {
      throw InvalidArgument("task '" + std::string(name) + "': it depends on task '" +
                            std::string(t->display_name()) + "', which was never submitted");
    }
  }
}

void Engine::throttle() {
  // Never from a worker or a callback (the thread would wait for itself) nor while paused
  // (nothing would finish).
  if (in_flight_.load(std::memory_order_acquire) < config_.max_submitted) return;
  if (current_worker() != kAnyWorker || tls_callback_depth > 0 || paused()) return;
  throttled_.fetch_add(1, std::memory_order_seq_cst);
  throttle_.wait([&] {
    return in_flight_.load(std::memory_order_seq_cst) <= config_.min_submitted || paused() ||
           closed();
  });
  throttled_.fetch_sub(1, std::memory_order_relaxed);
}

TaskHandle Engine::submit(Task* task) {
  // From here on `task`'s own reference is its execution reference.
  try {
    if (closed()) {
      throw RuntimeClosed("cannot submit task '" + std::string(task->display_name()) +
                          "': the runtime was shut down");
    }
    task->runnable_archs =
        static_cast<std::uint8_t>(implemented_archs(*task->codelet) & task->arch_mask);
    check_submittable(*task);
    if (config_.max_submitted > 0) {
      throttle();
      if (closed()) {  // shut down while this submitter waited
        throw RuntimeClosed("cannot submit task '" + std::string(task->display_name()) +
                            "': the runtime was shut down");
      }
    }
  } catch (...) {
    release(task);
    throw;
  }
  task->submitted = true;

  for (const TaskAccess& a : task->accesses) {
    a.data->users.fetch_add(1, std::memory_order_relaxed);
    if (is_commute(a.mode)) task->commute_data.push_back(a.data.get());
  }
  if (task->commute_data.size() > 1) {
    std::sort(task->commute_data.begin(), task->commute_data.end(),
              [](const Data* a, const Data* b) { return a->id < b->id; });
    task->commute_data.erase(std::unique(task->commute_data.begin(), task->commute_data.end()),
                             task->commute_data.end());
  }
  // The footprint keys the performance model: computed here only for codelets with one
  // (TaskView::footprint computes it on demand otherwise).
  if (task->codelet->model) task->footprint = footprint_of(*task);
  if (task->codelet->flops) {
    boost::container::small_vector<DataLayout, 4> layouts;
    for (const TaskAccess& a : task->accesses) layouts.push_back(a.layout);
    task->flops = task->codelet->flops(
        TaskShape{std::span<const DataLayout>(layouts.data(), layouts.size()), &task->args});
  }

  in_flight_.fetch_add(1, std::memory_order_relaxed);
  TaskHandle handle = Internals::handle(task);
  {
    // Without this, a task of another thread could reach on_submit before a task it
    // depends on (a planner would then place it ahead of its predecessor and wait forever).
    std::lock_guard order(submission_mutex_);
    task->id = next_task_id_.fetch_add(1, std::memory_order_relaxed);
    if (graph_.enabled())
      graph_.add_task(task->id, std::string(task->display_name()), task->codelet->name);
    infer_dependencies(*task);
    policy_->on_submit(TaskView(task));
  }
  if (task->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) make_ready(task);
  return handle;
}

void Engine::infer_dependencies(Task& task) {
  TaskList preds;
  collect_predecessors(task, preds);
  // Explicit dependencies join the inferred ones, in the same order (by id), each once.
  for (Task* before : task.explicit_after) {
    if (std::find(preds.begin(), preds.end(), before) == preds.end()) {
      preds.insert(std::upper_bound(preds.begin(), preds.end(), before,
                                    [](const Task* a, const Task* b) { return a->id < b->id; }),
                   before);
    } else {
      release(before);
    }
  }
  task.explicit_after.clear();
  for (Task* pred : preds) {
    add_edge(*pred, task);
    release(pred);
  }
}

void Engine::add_edge(Task& pred, Task& succ) {
  if (graph_.enabled()) graph_.add_edge(pred.id, succ.id);
  if ((pred.state.load(std::memory_order_acquire) & kTaskDone) == 0) {
    std::lock_guard lock(pred.lock);
    if (!pred.finished) {
      pred.successors.push_back(&succ);
      succ.pending.fetch_add(1, std::memory_order_relaxed);
      succ.predecessors.push_back(retained(&pred));
      return;
    }
  }
  // Finished already (its error fields were written before kTaskDone was published).
  inherit_failure(pred, succ);
}

void Engine::inherit_failure(const Task& pred, Task& succ) {
  if (!pred.failed_or_cancelled() ||
      pred.failure_epoch != failure_epoch_.load(std::memory_order_acquire))
    return;
  std::lock_guard lock(succ.lock);
  if (!succ.upstream_error) succ.upstream_error = pred.error ? pred.error : pred.upstream_error;
}

// ---------------------------------------------------------------------------- pause

void Engine::pause() {
  if (closed()) throw RuntimeClosed("cannot pause: the runtime was shut down");
  // From a task, the pause could hold back tasks that a waiting wait_all counts on.
  if (current_worker() != kAnyWorker) {
    throw InvalidArgument(
        "pause() was called from inside a task: pause and resume from the "
        "thread that submits the batch");
  }
  {
    std::lock_guard lock(hold_mutex_);
    if (pause_depth_.fetch_add(1, std::memory_order_acq_rel) > 0) return;  // nested
  }
  if (throttled_.load(std::memory_order_seq_cst) > 0) throttle_.notify_all();  // no more waiting
  policy_->on_batch_begin();
}

void Engine::resume() {
  {
    std::lock_guard lock(hold_mutex_);
    const int depth = pause_depth_.load(std::memory_order_acquire);
    if (depth == 0) throw InvalidArgument("resume() without pause(): the runtime is not paused");
    if (depth > 1) {
      pause_depth_.fetch_sub(1, std::memory_order_acq_rel);
      return;
    }
    if (releasing_) {
      throw InvalidArgument(
          "resume() while another resume() releases this batch: each "
          "pause() needs one resume()");
    }
    releasing_ = true;  // tasks that become ready meanwhile are still held
  }
  // The batch is complete: the policy sees the whole graph before the first of it is pushed.
  std::exception_ptr hook_error;
  try {
    policy_->on_batch_submitted();
  } catch (...) {
    hook_error = std::current_exception();
  }
  std::vector<Task*> held;
  {
    std::lock_guard lock(hold_mutex_);
    releasing_ = false;
    // A pause() from another thread during the hook began a new batch: keep holding for it.
    if (pause_depth_.fetch_sub(1, std::memory_order_acq_rel) == 1) held.swap(held_);
  }
  for (Task* task : held) push_ready(task);
  executor_->wake_all();
  if (hook_error) std::rethrow_exception(hook_error);
}

// ---------------------------------------------------------------------------- cancellation

bool Engine::cancel(Task& task) {
  if (task.engine != this) throw InvalidArgument("cancel: the task belongs to another runtime");
  // Tasks submitted up to now that depend on it are cancelled with it; later ones run.
  const std::uint64_t horizon = next_task_id_.load(std::memory_order_acquire);
  std::lock_guard lock(task.lock);
  std::uint32_t state = task.state.load(std::memory_order_acquire);
  for (;;) {
    // Cancelled already (directly, or through a task it depends on), perhaps even completed
    // as such: it will not run. The bit is only ever set before a start.
    if (state & kTaskCancelRequested) return true;
    if (state & (kTaskStarted | kTaskDone)) return false;
    task.cancel_horizon = std::max(task.cancel_horizon, horizon);
    // Against begin_task's fetch_or(kTaskStarted): exactly one of the two wins.
    if (task.state.compare_exchange_weak(state, state | kTaskCancelRequested,
                                         std::memory_order_acq_rel))
      return true;
  }
}

}  // namespace tessera::detail
