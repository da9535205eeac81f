#pragma once
// Engine: the core of a Runtime. It turns submissions into a dependency graph, hands ready
// tasks to the policy, executes what workers pop, and releases successors on completion.
// It is the PolicyHost of its policy.
//
// Its parts live in one file per concept:
//   engine.cpp            construction, data registration, policy queries, shutdown
//   engine_setup.cpp      the machine: CPU and CUDA workers, memory nodes (Engine::threaded)
//   submission.cpp        submit, throttling, pause/resume, cancellation
//   dependency_tracking   the sequential-task-flow rule (which tasks a new one waits for)
//   task_execution.cpp    begin, launch, await and end of a task on a worker
//   completion.cpp        completion, successors, cancelled tasks, waiting
//   failure_log           failures until wait_all reports them
//   observers             the observer list (the tracer is one)

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <typeinfo>
#include <vector>

#include "data_mover.hpp"
#include "device_support.hpp"
#include "executor.hpp"
#include "failure_log.hpp"
#include "graph_recorder.hpp"
#include "internals.hpp"
#include "machine_model.hpp"
#include "observers.hpp"
#include "tessera/config.hpp"
#include "tessera/policy.hpp"
#include "tessera/task.hpp"
#include "tessera/worker.hpp"
#include "trace_recorder.hpp"
#include "wakeup_point.hpp"

namespace tessera::detail {

struct Data;
struct Task;
class Engine;

// Everything an Engine is made of besides its graph: the workers, the policy named in the
// configuration, and how to build the executor that drives them.
struct EngineSetup {
  Config config;  // resolved
  std::vector<WorkerInfo> workers;
  // Memory nodes of a real runtime beyond host memory: index = node id, [0] null (host).
  std::vector<std::unique_ptr<MemoryNode>> memory_nodes;
  // For each worker: the CUDA device it drives (-1: none, or a mock device).
  std::vector<int> cuda_device;
  std::function<std::unique_ptr<Executor>(Engine&)> make_executor;
  std::uint64_t seed = 0x7e55e7a;
};

class Engine final : public PolicyHost {
 public:
  // Real CPU worker threads bound with hwloc, as the configuration asks, and one CUDA worker
  // per GPU; plus `mock_cuda` CUDA workers on mock devices made of host memory (tests; the
  // environment's TESSERA_MOCK_CUDA adds to it unless config.use_env is false).
  static EngineSetup threaded(Config config, int mock_cuda = 0);

  explicit Engine(EngineSetup setup);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- data (engine.cpp)
  std::shared_ptr<Data> register_data(void* ptr, const DataLayout& layout);
  std::shared_ptr<Data> register_object(std::shared_ptr<void> object, const std::type_info& type);
  // Data without storage, for simulations: only its layout matters.
  std::shared_ptr<Data> register_virtual(const DataLayout& layout);
  void unregister(Data& data);
  bool pin_memory(void* ptr, std::size_t bytes) { return mover_ && mover_->pin(ptr, bytes); }
  void unpin_memory(void* ptr) {
    if (mover_) mover_->unpin(ptr);
  }

  // --- submission (submission.cpp)
  Task* new_task(const Codelet& codelet);
  // Takes over the builder's reference to `task`; returns a handle to it.
  TaskHandle submit(Task* task);
  void pause();
  void resume();
  bool paused() const { return pause_depth_.load(std::memory_order_acquire) > 0; }
  bool cancel(Task& task);
  std::int64_t unfinished_tasks() const { return in_flight_.load(std::memory_order_acquire); }

  // --- waiting (completion.cpp)
  void wait_all();
  void wait(Task& task);
  void shutdown();
  // Called with each task failure as it happens (see Runtime::on_task_failure).
  void set_failure_listener(FailureListener listener) {
    failures_.set_listener(std::move(listener));
  }

  // --- execution (task_execution.cpp), called by executors
  // Runs a task popped by `worker`: begin_task, the kernel, end_task (worker threads).
  void execute(Task* task, WorkerId worker);
  // Whether `worker` queues kernels asynchronously (CUDA): it may then launch a begun task
  // while its previous one still runs, and finish that one afterwards.
  bool pipelined(WorkerId worker) const;
  // Makes the task's data valid on the worker's node and queues (or runs) its kernel.
  void launch(Task* task, WorkerId worker);
  // Waits for a launched task's kernel, then end_task.
  void finish(Task* task, WorkerId worker);
  // Whether a launched task's kernel has completed (never blocks).
  bool finished_on_device(Task* task, WorkerId worker) const;
  // Marks the task started, takes its commute locks and calls the policy's on_start. False
  // if the worker must not run it: it was cancelled (and is now completed as such), or it
  // was parked behind another commuting task (it will be pushed again).
  bool begin_task(Task* task, WorkerId worker);
  // Tells the observers that the task's kernel starts now (task->start_us is set).
  void notify_start(const Task& task, WorkerId worker);
  // Records statistics, trace and model; calls on_finish; releases successors. The executor
  // has set task->start_us and task->end_us.
  void end_task(Task* task, WorkerId worker);
  Executor& executor() { return *executor_; }
  // Ends an external task (ExternalTask::done/fail).
  void finish_external(Task* task, std::exception_ptr error);
  // Called on each worker's thread before its first task (selects its GPU).
  void prepare_worker_thread(WorkerId worker);

  // --- observers
  void add_observer(std::shared_ptr<TaskObserver> observer) { observers_.add(std::move(observer)); }
  void remove_observer(const std::shared_ptr<TaskObserver>& observer) {
    observers_.remove(observer);
  }

  // --- PolicyHost (engine.cpp)
  std::span<const WorkerInfo> workers() const override { return workers_; }
  double now_us() const override;
  WorkerId current_worker() const override;
  std::optional<double> expected_length_us(TaskView task, WorkerId worker) const override;
  double expected_transfer_us(TaskView task, WorkerId worker) const override;
  LinkModel link(int from_node, int to_node) const override {
    return from_node == to_node ? LinkModel{} : machine_->link(from_node, to_node);
  }
  std::uint64_t seed() const override { return seed_; }
  bool can_execute(TaskView task, WorkerId worker) const override;
  void prefetch(TaskView task, WorkerId worker) override;
  void prefetch_access(TaskView task, std::size_t access, WorkerId worker) override;

  const Config& config() const { return config_; }
  Policy& policy() { return *policy_; }
  std::vector<WorkerStats> worker_stats() const;
  void reset_stats();
  void write_trace(const std::string& path) const { trace_->write_chrome_json(path, workers_); }
  void write_dot(const std::string& path) const { graph_.write_dot(path); }
  void record_graph() { graph_.enable(); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

 private:
  // submission.cpp
  void check_submittable(const Task& task) const;
  void throttle();
  void infer_dependencies(Task& task);
  void add_edge(Task& pred, Task& succ);
  void inherit_failure(const Task& pred, Task& succ);
  // completion.cpp
  void make_ready(Task* task);
  void push_ready(Task* task);
  void complete_cancelled(Task* task);
  void complete(Task* task);
  void complete_on_worker(Task* task);  // complete(), keeping one wake-up for this worker
  void call_on_done(Task& task);
  // task_execution.cpp
  bool acquire_commute_locks(Task* task);
  void release_commute_locks(Task* task, std::size_t count);
  void start_external(Task* task);
  void launch_kernel(Task& task, WorkerId worker);
  void await_kernel(Task& task, WorkerId worker);
  void fail_task(Task& task);  // records the exception in flight as the task's failure
  void remember_model(const std::shared_ptr<PerfModel>& model);
  // Whether the worker's architecture and the task's restrictions allow it (no executor check).
  bool allowed_on(const Task& task, const WorkerInfo& worker) const;
  [[noreturn]] void throw_if_inside_task(std::string_view what) const;

  Config config_;
  std::vector<WorkerInfo> workers_;
  std::unique_ptr<Policy> policy_;
  std::unique_ptr<Executor> executor_;
  std::uint64_t seed_;
  std::unique_ptr<DataMover> mover_;  // null with host memory only
  HostOnlyMachine host_only_;
  const MachineModel* machine_ = &host_only_;  // the simulator's, the mover's, or host_only_
  std::vector<std::unique_ptr<CudaWorkerContext>> cuda_contexts_;  // by worker id
  std::vector<DeviceContext> mock_contexts_;                       // by worker id

  unsigned worker_archs_ = 0;      // bit index_of(arch) of every worker's architecture
  bool executor_filters_ = false;  // the executor rules out some tasks (Executor::can_execute)

  std::atomic<std::uint64_t> next_task_id_{0};
  std::atomic<std::int32_t> in_flight_{0};
  // Threads sleep on these, not on std::atomic::wait (see wakeup_point.hpp): wait_all until
  // in_flight_ is 0; TaskHandle::wait and unregister until their task or data is done; a
  // throttled submitter until in_flight_ is low enough.
  WakeupPoint drained_;
  WakeupPoint waiters_;
  WakeupPoint throttle_;
  std::atomic<int> unregistering_{0};        // threads in unregister(): completions must notify
  std::atomic<int> throttled_{0};            // submitters waiting in throttle()
  std::atomic<int> outside_completions_{0};  // threads in finish_external (not workers)
  std::atomic<bool> closed_{false};
  // A failed or cancelled task cancels the tasks submitted after it that depend on it, until
  // wait_all reports the failure: then the epoch advances and the runtime starts afresh.
  std::atomic<std::uint64_t> failure_epoch_{0};
  std::atomic<bool> stopped_{false};
  FailureLog failures_;
  // Held from a task's id to its on_submit: tasks submitted from several threads at once
  // reach the policy in submission order, each after every task it depends on.
  std::mutex submission_mutex_;

  // Pause: ready tasks are held here, in the order they became ready, until resume().
  std::mutex hold_mutex_;
  std::atomic<int> pause_depth_{0};
  bool releasing_ = false;  // resume() is calling on_batch_submitted: keep holding
  std::vector<Task*> held_;

  struct alignas(64) WorkerCounters {
    std::atomic<std::uint64_t> tasks{0};
    std::atomic<double> busy_us{0.0};
  };
  std::unique_ptr<WorkerCounters[]> counters_;

  std::mutex models_mutex_;
  std::vector<std::shared_ptr<PerfModel>> models_;  // flushed at shutdown
  ObserverList observers_;
  std::shared_ptr<TraceRecorder> trace_;
  GraphRecorder graph_;
};

}  // namespace tessera::detail
