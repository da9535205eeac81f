#pragma once
// Engine: the core of a Runtime. It turns submissions into a dependency graph, hands ready
// tasks to the policy, executes what workers pop, and releases successors on completion.
// It is the PolicyHost of its policy.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "data_mover.hpp"
#include "device_support.hpp"
#include "executor.hpp"
#include "graph_recorder.hpp"
#include "tessera/config.hpp"
#include "tessera/policy.hpp"
#include "tessera/task.hpp"
#include "tessera/worker.hpp"
#include "trace_recorder.hpp"

namespace tessera::detail {

struct Data;
struct Task;
using FailureListener = std::function<void(std::exception_ptr)>;
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
  // Real CPU worker threads bound with hwloc, as the configuration asks.
  static EngineSetup threaded(Config config);

  explicit Engine(EngineSetup setup);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // data
  std::shared_ptr<Data> register_data(void* ptr, const DataLayout& layout);
  // Data without storage, for simulations: only its layout matters.
  std::shared_ptr<Data> register_virtual(const DataLayout& layout);
  void unregister(Data& data);
  bool pin_memory(void* ptr, std::size_t bytes) { return mover_ && mover_->pin(ptr, bytes); }
  void unpin_memory(void* ptr) {
    if (mover_) mover_->unpin(ptr);
  }

  // tasks
  Task* new_task(const Codelet& codelet);
  // Takes over the builder's reference to `task`; returns a handle to it.
  TaskHandle submit(Task* task);
  void wait_all();
  void wait(Task& task);
  void shutdown();
  // Called with each task failure as it happens (see Runtime::on_task_failure).
  void set_failure_listener(FailureListener listener);

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
  // Takes commute locks and calls the policy's on_start; false if the task was parked
  // behind another commuting task (it will be pushed again).
  bool begin_task(Task* task, WorkerId worker);
  // Records statistics, trace and model; calls on_finish; releases successors. The executor
  // has set task->start_us and task->end_us.
  void end_task(Task* task, WorkerId worker);
  Executor& executor() { return *executor_; }
  // Ends an external task (ExternalTask::done/fail).
  void finish_external(Task* task, std::exception_ptr error);
  // Called on each worker's thread before its first task (selects its GPU).
  void prepare_worker_thread(WorkerId worker);

  // PolicyHost
  std::span<const WorkerInfo> workers() const override { return workers_; }
  double now_us() const override;
  WorkerId current_worker() const override;
  std::optional<double> expected_length_us(TaskView task, WorkerId worker) const override;
  double expected_transfer_us(TaskView task, WorkerId worker) const override;
  double transfer_time_us(int from_node, int to_node, double bytes) const override {
    if (mover_) return mover_->transfer_time_us(from_node, to_node, bytes);
    return executor_->transfer_time_us(from_node, to_node, bytes);
  }
  bool link_is_shared(int from_node, int to_node) const override {
    return mover_ ? true : executor_->link_is_shared(from_node, to_node);
  }
  std::uint64_t seed() const override { return seed_; }
  bool can_execute(TaskView task, WorkerId worker) const override;
  void prefetch(TaskView task, WorkerId worker) override;
  void prefetch_access(TaskView task, std::size_t access, WorkerId worker) override {
    executor_->prefetch_access(*task.get(), access, worker);
  }

  const Config& config() const { return config_; }
  Policy& policy() { return *policy_; }
  std::vector<WorkerStats> worker_stats() const;
  void reset_stats();
  void write_trace(const std::string& path) const { trace_.write_chrome_json(path, workers_); }
  void write_dot(const std::string& path) const { graph_.write_dot(path); }
  void record_graph() { graph_.enable(); }
  bool closed() const { return closed_.load(std::memory_order_acquire); }

 private:
  void infer_dependencies(Task& task);
  void add_edge(Task& pred, Task& succ);
  void inherit_failure(const Task& pred, Task& succ);
  void make_ready(Task* task);
  bool acquire_commute_locks(Task* task);
  void release_commute_locks(Task* task, std::size_t count);
  void start_external(Task* task);
  void launch_kernel(Task& task, WorkerId worker);
  void await_kernel(Task& task, WorkerId worker);
  // Records the exception in flight as the task's failure.
  void fail_task(Task& task);
  void complete(Task* task);
  void record_failure(const Task& task);
  void remember_model(const std::shared_ptr<PerfModel>& model);
  [[noreturn]] void throw_if_inside_task(std::string_view what) const;
  void check_submittable(const Task& task) const;

  Config config_;
  std::vector<WorkerInfo> workers_;
  std::unique_ptr<Policy> policy_;
  std::unique_ptr<Executor> executor_;
  std::uint64_t seed_;
  std::unique_ptr<DataMover> mover_;                               // null with host memory only
  std::vector<std::unique_ptr<CudaWorkerContext>> cuda_contexts_;  // by worker id
  std::vector<DeviceContext> mock_contexts_;                       // by worker id

  std::atomic<std::uint64_t> next_task_id_{0};
  std::atomic<std::int32_t> in_flight_{0};
  // Threads sleep on these, not on std::atomic::wait (see wakeup_point.hpp): wait_all until
  // in_flight_ is 0; TaskHandle::wait and unregister until their task or data is done.
  WakeupPoint drained_;
  WakeupPoint waiters_;
  std::atomic<int> unregistering_{0};  // threads in unregister(): completions must notify
  std::atomic<bool> closed_{false};
  // A failed or cancelled task cancels the tasks submitted after it that depend on it, until
  // wait_all reports the failure: then the epoch advances and the runtime starts afresh.
  std::atomic<std::uint64_t> failure_epoch_{0};
  std::atomic<bool> stopped_{false};

  std::mutex failure_mutex_;
  std::exception_ptr first_failure_;
  FailureListener failure_listener_;
  std::uint64_t failures_ = 0;
  std::uint64_t cancelled_ = 0;

  struct alignas(64) WorkerCounters {
    std::atomic<std::uint64_t> tasks{0};
    std::atomic<double> busy_us{0.0};
  };
  std::unique_ptr<WorkerCounters[]> counters_;

  std::mutex models_mutex_;
  std::vector<std::shared_ptr<PerfModel>> models_;  // flushed at shutdown
  TraceRecorder trace_;
  GraphRecorder graph_;
};

}  // namespace tessera::detail
