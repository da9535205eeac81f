#include "engine.hpp"

#include <algorithm>
#include <cstdio>
#include <unordered_map>
#include <utility>

#include "cpu_workers.hpp"
#include "data_state.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"
#include "tessera/task_context.hpp"
#include "topology.hpp"

namespace tessera::detail {

void retain(Task* task) noexcept {
  task->refs.fetch_add(1, std::memory_order_relaxed);
}

void release(Task* task) noexcept {
  if (task->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    // Only a task that was never submitted still references other tasks here.
    for (Task* t : task->explicit_after) release(t);
    for (Task* t : task->predecessors) release(t);
    delete task;
  }
}

namespace {

thread_local Task* tls_running_task = nullptr;
// Wake-ups a completing worker may skip: it looks for work itself right after.
thread_local int tls_wake_credit = 0;
// Cancelled tasks are completed iteratively (a long chain must not recurse).
thread_local std::vector<Task*>* tls_cancel_queue = nullptr;

using TaskList = boost::container::small_vector<Task*, 8>;

void release_all(std::vector<Task*>& tasks) {
  for (Task* t : tasks) release(t);
  tasks.clear();
}

void append_retained(TaskList& out, const std::vector<Task*>& tasks) {
  for (Task* t : tasks) out.push_back(retained(t));
}

bool is_done(const Task* t) {
  return (t->state.load(std::memory_order_acquire) & kTaskDone) != 0;
}

// Drops finished readers now and then, so a handle read by millions of tasks between two
// writes does not keep them all alive.
void prune_finished(std::vector<Task*>& tasks) {
  if (tasks.size() < 64 || (tasks.size() & (tasks.size() - 1)) != 0) return;
  auto keep = std::partition(tasks.begin(), tasks.end(), [](Task* t) { return !is_done(t); });
  for (auto it = keep; it != tasks.end(); ++it) release(*it);
  tasks.erase(keep, tasks.end());
}

// The sequential-task-flow rule for one access of `task` on a data handle; appends the tasks
// it must wait for (retained) to `preds`.
void track_access(DependencyState& s, Task* task, Access mode, TaskList& preds) {
  if (is_scratch(mode)) return;
  if (is_commute(mode)) {
    if (s.commuters.empty()) {
      // A new commuting group waits for the readers since the last write, or that write.
      if (s.readers.empty()) {
        s.commute_preds = std::move(s.writers);
      } else {
        s.commute_preds = std::move(s.readers);
        release_all(s.writers);  // the readers already wait for them
      }
      s.writers.clear();
      s.readers.clear();
    }
    append_retained(preds, s.commute_preds);
    s.commuters.push_back(retained(task));
    return;
  }
  if (writes(mode)) {
    const std::vector<Task*>& before =
        !s.commuters.empty() ? s.commuters : (!s.readers.empty() ? s.readers : s.writers);
    append_retained(preds, before);
    release_all(s.commuters);
    release_all(s.commute_preds);
    release_all(s.readers);
    release_all(s.writers);
    s.writers.push_back(retained(task));
    return;
  }
  // A read closes an open commuting group: the group becomes the last write.
  if (!s.commuters.empty()) {
    release_all(s.writers);
    release_all(s.readers);
    release_all(s.commute_preds);
    s.writers = std::move(s.commuters);
    s.commuters.clear();
  }
  append_retained(preds, s.writers);
  prune_finished(s.readers);
  s.readers.push_back(retained(task));
}

}  // namespace

EngineSetup Engine::threaded(Config requested) {
  EngineSetup setup;
  setup.config = requested.resolved();
  Config& config = setup.config;
  auto topology = std::make_shared<const CpuTopology>();
  const int ncores = topology->num_cores();

  // GPUs first: a core drives each of them, as in StarPU, and is no CPU worker.
  const int devices = cuda_device_count();
  if (config.ncuda > devices) {
    throw InvalidArgument(
        "Config::ncuda = " + std::to_string(config.ncuda) + " CUDA workers requested, but " +
        (cuda_built() ? "this machine has " + std::to_string(devices) + " CUDA device(s)"
                      : std::string("Tessera was built without CUDA")));
  }
  const int ncuda = config.ncuda < 0 ? devices : config.ncuda;
  config.ncuda = ncuda;
  const int accelerators = ncuda + config.mock_cuda;
  const int ncpu = config.ncpu < 0 ? std::max(1, ncores - accelerators) : config.ncpu;
  if (ncpu + accelerators == 0) {
    throw InvalidArgument(
        "no worker to run tasks: ncpu is 0 and this machine has no other kind of worker");
  }
  config.ncpu = ncpu;
  setup.memory_nodes.emplace_back();  // host memory
  for (int i = 0; i < ncpu + accelerators; ++i) {
    WorkerInfo w;
    w.id = i;
    const bool cpu = i < ncpu;
    const bool mock = i >= ncpu + ncuda;
    w.arch = cpu ? Arch::cpu : Arch::cuda;
    w.kind = std::string(to_string(w.arch));
    w.core = config.bind_workers ? topology->os_index(i % ncores) : -1;
    if (cpu) {
      w.memory_node = 0;
      w.name = "cpu" + std::to_string(i);
      setup.cuda_device.push_back(-1);
    } else {
      const int device = mock ? i - ncpu - ncuda : i - ncpu;
      w.memory_node = static_cast<int>(setup.memory_nodes.size());
      w.name = (mock ? "mockcuda" : "cuda") + std::to_string(device);
      setup.memory_nodes.push_back(
          mock ? make_mock_device_node(w.name, config.cuda_memory > 0
                                                   ? static_cast<std::uint64_t>(config.cuda_memory)
                                                   : (1ull << 30))
               : make_cuda_node(device, static_cast<std::uint64_t>(config.cuda_memory)));
      setup.cuda_device.push_back(mock ? -1 : device);
    }
    setup.workers.push_back(std::move(w));
  }
  // Neighbours: most shared cache first, then nearest index.
  for (WorkerInfo& w : setup.workers) {
    for (const WorkerInfo& other : setup.workers) {
      if (other.id != w.id) w.neighbors.push_back(other.id);
    }
    std::stable_sort(w.neighbors.begin(), w.neighbors.end(), [&](WorkerId a, WorkerId b) {
      int da = topology->shared_depth(w.id % ncores, a % ncores);
      int db = topology->shared_depth(w.id % ncores, b % ncores);
      if (da != db) return da > db;
      return std::abs(a - w.id) < std::abs(b - w.id);
    });
  }
  setup.make_executor = [topology](Engine& engine) -> std::unique_ptr<Executor> {
    return std::make_unique<CpuWorkers>(engine, engine.policy(), engine.workers(), topology,
                                        engine.config());
  };
  return setup;
}

Engine::Engine(EngineSetup setup)
    : config_(std::move(setup.config)), workers_(std::move(setup.workers)), seed_(setup.seed) {
  if (workers_.empty()) throw InvalidArgument("no worker to run tasks");
  if (setup.memory_nodes.size() > 1)
    mover_ = std::make_unique<DataMover>(std::move(setup.memory_nodes));
  cuda_contexts_.resize(workers_.size());
  mock_contexts_.resize(workers_.size());
  for (std::size_t w = 0; w < setup.cuda_device.size() && w < workers_.size(); ++w) {
    if (setup.cuda_device[w] >= 0)
      cuda_contexts_[w] = std::make_unique<CudaWorkerContext>(setup.cuda_device[w]);
  }
  policy_ = create_policy(config_.sched);
  counters_ = std::make_unique<WorkerCounters[]>(workers_.size());
  trace_.configure(workers_.size(), !config_.trace_file.empty());
  if (!config_.dot_file.empty()) graph_.enable();
  executor_ = setup.make_executor(*this);
  policy_->attach(*this);  // after the executor: the policy may ask about the machine
  executor_->start();
}

Engine::~Engine() {
  try {
    shutdown();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera: error during shutdown: %s\n", e.what());
  }
}

double Engine::now_us() const {
  return executor_ ? executor_->now_us() : 0.0;
}

WorkerId Engine::current_worker() const {
  return executor_ ? executor_->current_worker() : kAnyWorker;
}

bool Engine::can_execute(TaskView task, WorkerId worker) const {
  const Task* t = task.get();
  return t->codelet->kernels[index_of(workers_[static_cast<std::size_t>(worker)].arch)] &&
         executor_->can_execute(*t, worker);
}

void Engine::prefetch(TaskView task, WorkerId worker) {
  executor_->prefetch(*task.get(), worker);
}

void Engine::throw_if_inside_task(std::string_view what) const {
  std::string message = std::string(what) + " was called from inside task '";
  message += tls_running_task ? std::string(tls_running_task->display_name()) : std::string("?");
  message += "': a task cannot wait for other tasks (it would deadlock)";
  throw InvalidArgument(message);
}

// ---------------------------------------------------------------------------- data

std::shared_ptr<Data> Engine::register_data(void* ptr, const DataLayout& layout) {
  if (closed()) throw RuntimeClosed("cannot register data: the runtime was shut down");
  auto data = std::make_shared<Data>();
  static std::atomic<std::uint64_t> next_data_id{0};  // unique within the process
  data->id = next_data_id.fetch_add(1, std::memory_order_relaxed);
  data->owner = this;
  data->layout = layout;
  if (ptr == nullptr) {
    data->owned.reset(new std::byte[std::max<std::size_t>(layout.extent_bytes(), 1)]());
    ptr = data->owned.get();
  }
  data->host_ptr = ptr;
  if (mover_) mover_->add(data);
  return data;
}

std::shared_ptr<Data> Engine::register_virtual(const DataLayout& layout) {
  auto data = std::make_shared<Data>();
  static std::atomic<std::uint64_t> next_virtual_id{1ull << 62};
  data->id = next_virtual_id.fetch_add(1, std::memory_order_relaxed);
  data->owner = this;
  data->layout = layout;
  return data;
}

void Engine::unregister(Data& data) {
  if (current_worker() != kAnyWorker) throw_if_inside_task("unregister");
  if (data.owner != this) {
    throw InvalidArgument("cannot unregister data '" + data.display_name() +
                          "': it belongs to another runtime");
  }
  bool expected = true;
  if (!data.registered.compare_exchange_strong(expected, false)) {
    throw InvalidArgument("data '" + data.display_name() + "' is already unregistered");
  }
  unregistering_.fetch_add(1, std::memory_order_seq_cst);
  waiters_.wait([&] { return data.users.load(std::memory_order_seq_cst) == 0; });
  unregistering_.fetch_sub(1, std::memory_order_relaxed);
  if (mover_) mover_->remove(data);  // the final value back in the user's buffer
  std::lock_guard lock(data.dep_mutex);
  data.deps.clear();
}

// ---------------------------------------------------------------------------- submission

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
  bool runnable = task.is_external;
  for (const WorkerInfo& w : workers_)
    runnable = runnable || task.codelet->kernels[index_of(w.arch)];
  if (!runnable) [[unlikely]] {
    std::string archs;
    for (Arch a : kAllArchs) {
      if (task.codelet->kernels[index_of(a)])
        archs += (archs.empty() ? "" : ", ") + std::string(to_string(a));
    }
    throw InvalidArgument("task '" + std::string(name) + "': codelet '" + task.codelet->name +
                          "' is implemented for " + archs +
                          " only, and this runtime has no such worker");
  }
  for (const TaskAccess& a : task.accesses) {
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

TaskHandle Engine::submit(Task* task) {
  // From here on `task`'s own reference is its execution reference.
  try {
    if (closed()) {
      throw RuntimeClosed("cannot submit task '" + std::string(task->display_name()) +
                          "': the runtime was shut down");
    }
    check_submittable(*task);
  } catch (...) {
    release(task);
    throw;
  }
  task->submitted = true;
  task->id = next_task_id_.fetch_add(1, std::memory_order_relaxed);

  boost::container::small_vector<DataLayout, 4> layouts;
  for (const TaskAccess& a : task->accesses) {
    layouts.push_back(a.data->layout);
    a.data->users.fetch_add(1, std::memory_order_relaxed);
    if (is_commute(a.mode)) task->commute_data.push_back(a.data.get());
  }
  std::sort(task->commute_data.begin(), task->commute_data.end());
  task->commute_data.erase(std::unique(task->commute_data.begin(), task->commute_data.end()),
                           task->commute_data.end());
  const TaskShape shape{std::span<const DataLayout>(layouts.data(), layouts.size()), &task->args};
  task->footprint =
      task->codelet->footprint ? task->codelet->footprint(shape) : default_footprint(shape);
  task->flops = task->codelet->flops ? task->codelet->flops(shape) : 0.0;

  in_flight_.fetch_add(1, std::memory_order_relaxed);
  TaskHandle handle(task);
  if (graph_.enabled())
    graph_.add_task(task->id, std::string(task->display_name()), task->codelet->name);
  infer_dependencies(*task);
  for (Task* before : task->explicit_after) {
    add_edge(*before, *task);
    release(before);
  }
  task->explicit_after.clear();
  policy_->on_submit(TaskView(task));
  if (task->pending.fetch_sub(1, std::memory_order_acq_rel) == 1) make_ready(task);
  return handle;
}

void Engine::infer_dependencies(Task& task) {
  // One entry per distinct handle, with the union of the task's modes on it.
  boost::container::small_vector<std::pair<Data*, Access>, 4> distinct;
  for (const TaskAccess& a : task.accesses) {
    auto it = std::find_if(distinct.begin(), distinct.end(),
                           [&](const auto& d) { return d.first == a.data.get(); });
    if (it == distinct.end()) {
      distinct.emplace_back(a.data.get(), a.mode);
    } else if (is_scratch(it->second) != is_scratch(a.mode)) {
      // Keep the handle's real accesses; the scratch one only needs a private buffer.
      if (is_scratch(it->second)) it->second = a.mode;
    } else {
      it->second = it->second | a.mode;
    }
  }
  std::sort(distinct.begin(), distinct.end());
  TaskList preds;
  {
    // Lock every handle (in address order) so concurrent submitters see one order.
    boost::container::small_vector<std::unique_lock<std::mutex>, 4> locks;
    for (auto& [data, mode] : distinct) locks.emplace_back(data->dep_mutex);
    for (auto& [data, mode] : distinct) track_access(data->deps, &task, mode, preds);
  }
  std::sort(preds.begin(), preds.end());
  for (std::size_t i = 0; i < preds.size(); ++i) {
    if (i == 0 || preds[i] != preds[i - 1]) add_edge(*preds[i], task);
    release(preds[i]);
  }
}

void Engine::add_edge(Task& pred, Task& succ) {
  if (graph_.enabled()) graph_.add_edge(pred.id, succ.id);
  if (!is_done(&pred)) {
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

void Engine::make_ready(Task* task) {
  if (task->upstream_error) {
    // Cancelled: complete it without running it, iteratively.
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
    return;
  }
  if (task->is_external) {
    start_external(task);
    return;
  }
  // Read before push: from then on another worker may run, complete and free the task.
  unsigned archs = 0;
  for (Arch arch : kAllArchs) {
    if (task->codelet->kernels[index_of(arch)]) archs |= 1u << index_of(arch);
  }
  const WorkerId target = policy_->push(TaskView(task));
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

void Engine::start_external(Task* task) {
  try {
    if (mover_) {
      // The work happens on the host: bring the data home first.
      boost::container::small_vector<BufferView, 4> views;
      mover_->acquire(*task, 0, views);
      task->data_acquired = true;
    }
    task->external(ExternalTask(task));
  } catch (...) {
    finish_external(task, std::current_exception());
  }
}

void Engine::finish_external(Task* task, std::exception_ptr error) {
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
  policy_->on_cancel(TaskView(task));  // the policy saw it submitted, never pushed
  task->external = nullptr;            // may hold references the caller wants released
  complete(task);
}

// ---------------------------------------------------------------------------- execution

bool Engine::acquire_commute_locks(Task* task) {
  for (std::size_t i = 0; i < task->commute_data.size(); ++i) {
    Data* data = task->commute_data[i];
    std::unique_lock lock(data->commute_mutex);
    if (data->commute_held) {
      // Park behind the holder; its release re-pushes us. Give back what we took.
      data->parked.push_back(task);
      lock.unlock();
      release_commute_locks(task, i);
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
  if (!task->commute_data.empty() && !acquire_commute_locks(task)) return false;
  task->worker = worker;
  policy_->on_start(TaskView(task), worker);
  return true;
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
        if (buffer.size() < words) buffer.resize(words);
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
  if (trace_.enabled()) {
    trace_.record(worker, {task->id, std::string(task->display_name()), task->codelet->name,
                           task->start_us, task->end_us, task->priority, task->error != nullptr});
  }
  if (mover_ && task->data_acquired) mover_->release(*task, info.memory_node);
  policy_->on_finish(TaskView(task), worker);
  if (!task->commute_data.empty()) release_commute_locks(task, task->commute_data.size());
  tls_wake_credit = 1;
  complete(task);
  tls_wake_credit = 0;
}

void Engine::remember_model(const std::shared_ptr<PerfModel>& model) {
  // Called for every task with a model: a lock-free look at the last one seen first.
  thread_local const Engine* last_engine = nullptr;
  thread_local const PerfModel* last = nullptr;
  if (last == model.get() && last_engine == this) return;
  last = model.get();
  last_engine = this;
  std::lock_guard lock(models_mutex_);
  if (std::find(models_.begin(), models_.end(), model) == models_.end()) models_.push_back(model);
}

void Engine::record_failure(const Task& task) {
  FailureListener listener;
  {
    std::lock_guard lock(failure_mutex_);
    if (!task.error) {
      ++cancelled_;
      return;
    }
    ++failures_;
    if (!first_failure_) first_failure_ = task.error;
    listener = failure_listener_;
  }
  if (listener) listener(task.error);
}

void Engine::set_failure_listener(FailureListener listener) {
  std::lock_guard lock(failure_mutex_);
  failure_listener_ = std::move(listener);
}

void Engine::complete(Task* task) {
  TaskList successors;
  {
    std::lock_guard lock(task->lock);
    task->finished = true;
    successors.assign(task->successors.begin(), task->successors.end());
    task->successors.clear();
  }
  const std::exception_ptr failure = task->error ? task->error : task->upstream_error;
  if (failure) {
    task->failure_epoch = failure_epoch_.load(std::memory_order_acquire);
    record_failure(*task);
  }
  for (Task* successor : successors) {
    if (failure) {
      std::lock_guard lock(successor->lock);
      if (!successor->upstream_error) successor->upstream_error = failure;
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
  task->accesses.clear();
  if (task->state.fetch_or(kTaskDone, std::memory_order_acq_rel) & kTaskWaiter)
    waiters_.notify_all();
  if (in_flight_.fetch_sub(1, std::memory_order_acq_rel) == 1) drained_.notify_all();
  release(task);
}

// ---------------------------------------------------------------------------- waiting

void Engine::wait_all() {
  if (current_worker() != kAnyWorker) throw_if_inside_task("wait_all");
  executor_->drain(in_flight_, drained_);
  std::exception_ptr failure;
  std::uint64_t failures = 0;
  std::uint64_t cancelled = 0;
  {
    std::lock_guard lock(failure_mutex_);
    failure = std::exchange(first_failure_, nullptr);
    failures = std::exchange(failures_, 0);
    cancelled = std::exchange(cancelled_, 0);
  }
  if (!failure) return;
  failure_epoch_.fetch_add(1, std::memory_order_acq_rel);  // reported: later tasks start afresh
  try {
    std::rethrow_exception(failure);
  } catch (const TaskFailed& first) {
    std::string message = first.what();
    if (failures > 1) message += "; " + std::to_string(failures - 1) + " other task(s) failed";
    if (cancelled > 0)
      message += "; " + std::to_string(cancelled) + " dependent task(s) were cancelled";
    throw TaskFailed(message, first.task_name(), first.cause());
  }
}

void Engine::wait(Task& task) {
  std::uint32_t state = task.state.fetch_or(kTaskWaiter, std::memory_order_acq_rel) | kTaskWaiter;
  if ((state & kTaskDone) == 0 && current_worker() != kAnyWorker)
    throw_if_inside_task("TaskHandle::wait");
  if ((state & kTaskDone) == 0)
    waiters_.wait([&] { return (task.state.load(std::memory_order_acquire) & kTaskDone) != 0; });
  if (task.error) std::rethrow_exception(task.error);
  if (task.upstream_error) {
    const std::string name(task.display_name());
    throw TaskFailed("task '" + name + "' was cancelled because a task it depends on failed: " +
                         message_of(task.upstream_error),
                     name, task.upstream_error);
  }
}

void Engine::shutdown() {
  if (stopped_.load(std::memory_order_acquire)) return;
  if (current_worker() != kAnyWorker) throw_if_inside_task("shutdown");
  closed_.store(true, std::memory_order_release);
  executor_->drain(in_flight_, drained_);
  if (mover_) mover_->remove_all();  // every value back in host memory
  executor_->stop();
  stopped_.store(true, std::memory_order_release);
  {
    std::lock_guard lock(failure_mutex_);
    if (first_failure_) {
      std::fprintf(stderr,
                   "tessera: %llu task failure(s) were never reported by wait_all; the first: %s\n",
                   static_cast<unsigned long long>(failures_), message_of(first_failure_).c_str());
    }
  }
  {
    std::lock_guard lock(models_mutex_);
    for (const auto& model : models_) model->flush();
  }
  if (!config_.trace_file.empty()) trace_.write_chrome_json(config_.trace_file, workers_);
  if (!config_.dot_file.empty()) graph_.write_dot(config_.dot_file);
}

// ---------------------------------------------------------------------------- queries

std::optional<double> Engine::expected_length_us(TaskView task, WorkerId worker) const {
  const Task* t = task.get();
  if (t == nullptr || worker < 0 || static_cast<std::size_t>(worker) >= workers_.size())
    return std::nullopt;
  if (auto cost = executor_->expected_length_us(*t, worker)) return cost;
  if (!t->codelet->model) return std::nullopt;
  return t->codelet->model->expected_us(workers_[static_cast<std::size_t>(worker)].arch,
                                        t->footprint);
}

double Engine::expected_transfer_us(TaskView task, WorkerId worker) const {
  if (mover_)
    return mover_->expected_transfer_us(*task.get(),
                                        workers_[static_cast<std::size_t>(worker)].memory_node);
  return executor_->expected_transfer_us(*task.get(), worker);
}

void Engine::prepare_worker_thread(WorkerId worker) {
  if (const CudaWorkerContext* cuda = cuda_contexts_[static_cast<std::size_t>(worker)].get())
    cuda->make_current();
}

std::vector<WorkerStats> Engine::worker_stats() const {
  std::vector<WorkerStats> stats;
  for (const WorkerInfo& w : workers_) {
    const WorkerCounters& c = counters_[static_cast<std::size_t>(w.id)];
    stats.push_back({w.id, w.name, c.tasks.load(std::memory_order_relaxed),
                     c.busy_us.load(std::memory_order_relaxed), executor_->late_wakeups(w.id)});
  }
  return stats;
}

void Engine::reset_stats() {
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    counters_[i].tasks.store(0, std::memory_order_relaxed);
    counters_[i].busy_us.store(0.0, std::memory_order_relaxed);
  }
}

}  // namespace tessera::detail
