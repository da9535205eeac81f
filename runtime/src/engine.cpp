// Engine: construction, data registration, what the policy may ask, statistics.

#include "engine.hpp"

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "data_state.hpp"
#include "host_allocation.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"
#include "tessera/progress.hpp"

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

Engine::Engine(EngineSetup setup)
    : config_(std::move(setup.config)), workers_(std::move(setup.workers)), seed_(setup.seed) {
  if (workers_.empty()) throw InvalidArgument("no worker to run tasks");
  // The trace and the graph are written at shutdown: find an unwritable path now, not after
  // the whole run.
  for (const auto& [path, what] :
       {std::pair{config_.trace_file, "trace"}, std::pair{config_.dot_file, "DOT"}}) {
    if (path.empty()) continue;
    std::ofstream probe(path, std::ios::app);
    if (!probe) throw InvalidArgument(std::string("cannot write ") + what + " file '" + path + "'");
  }
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
  trace_ = std::make_shared<TraceRecorder>(workers_.size());
  if (!config_.trace_file.empty()) observers_.add(trace_);
  if (config_.progress_seconds > 0) {
    ProgressMeter::Options progress;
    progress.period_seconds = config_.progress_seconds;
    observers_.add(std::make_shared<ProgressMeter>(
        progress, [this] { return next_task_id_.load(std::memory_order_relaxed); }));
  }
  if (!config_.dot_file.empty()) graph_.enable();
  for (const WorkerInfo& w : workers_) worker_archs_ |= 1u << index_of(w.arch);
  executor_ = setup.make_executor(*this);
  executor_filters_ = executor_->filters_tasks();
  if (const MachineModel* simulated = executor_->machine()) {
    machine_ = simulated;
  } else if (mover_) {
    machine_ = mover_.get();
  }
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

bool Engine::allowed_on(const Task& task, const WorkerInfo& worker) const {
  return (task.runnable_archs & (1u << index_of(worker.arch))) != 0 &&
         (task.only_worker == kAnyWorker || task.only_worker == worker.id);
}

bool Engine::can_execute(TaskView task, WorkerId worker) const {
  // Policies ask this for every task and worker they consider: no call unless needed.
  const Task* t = task.get();
  return allowed_on(*t, workers_[static_cast<std::size_t>(worker)]) &&
         (!executor_filters_ || executor_->can_execute(*t, worker));
}

void Engine::prefetch(TaskView task, WorkerId worker) {
  executor_->prefetch(*task.get(), worker);
}

void Engine::prefetch_access(TaskView task, std::size_t access, WorkerId worker) {
  executor_->prefetch_access(*task.get(), access, worker);
}

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
  return machine_->expected_transfer_us(*task.get(), workers_[static_cast<std::size_t>(worker)]);
}

void Engine::throw_if_inside_task(std::string_view what) const {
  std::string message = std::string(what) + " was called from inside task '";
  message += tls_running_task ? std::string(tls_running_task->display_name()) : std::string("?");
  message += "': a task cannot wait for other tasks (it would deadlock)";
  throw InvalidArgument(message);
}

// ---------------------------------------------------------------------------- data

namespace {

std::uint64_t next_data_id() {
  static std::atomic<std::uint64_t> next{0};  // unique within the process
  return next.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

std::shared_ptr<Data> Engine::register_data(void* ptr, const DataLayout& layout) {
  if (closed()) throw RuntimeClosed("cannot register data: the runtime was shut down");
  auto data = std::make_shared<Data>();
  data->id = next_data_id();
  data->owner = this;
  data->layout = layout;
  if (ptr == nullptr) {
    const std::size_t bytes = std::max<std::size_t>(layout.extent_bytes(), 1);
    data->owned.reset(allocate_host(bytes, "the storage of data #" + std::to_string(data->id),
                                    [bytes] { return new std::byte[bytes](); }));
    ptr = data->owned.get();
  }
  data->host_ptr = ptr;
  if (mover_) mover_->add(data);
  return data;
}

std::shared_ptr<Data> Engine::register_object(std::shared_ptr<void> object,
                                              const std::type_info& type) {
  if (closed()) throw RuntimeClosed("cannot register an object: the runtime was shut down");
  if (!object) throw InvalidArgument("register_object: null object");
  auto data = std::make_shared<Data>();
  data->id = next_data_id();
  data->owner = this;
  data->layout = {DataKind::object, 1, 0, 1, 0, &type};
  data->host_ptr = object.get();
  data->object = std::move(object);
  return data;  // never given to the mover: objects stay where they are
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
  if (paused() && data.users.load(std::memory_order_seq_cst) > 0) {
    data.registered.store(true, std::memory_order_release);
    throw InvalidArgument("cannot unregister data '" + data.display_name() +
                          "' while the runtime is paused: tasks using it are held back "
                          "(call resume() first)");
  }
  unregistering_.fetch_add(1, std::memory_order_seq_cst);
  waiters_.wait([&] { return data.users.load(std::memory_order_seq_cst) == 0; });
  unregistering_.fetch_sub(1, std::memory_order_relaxed);
  if (mover_) mover_->remove(data);  // the final value back in the user's buffer
  std::lock_guard lock(data.dep_mutex);
  data.deps.clear();
  data.object.reset();
}

// ---------------------------------------------------------------------------- statistics

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
