#pragma once
// Runtime: owns the workers, the scheduling policy and the registered data; accepts tasks.
//
//   tessera::Runtime rt{tessera::Config{}.with_sched("ws")};
//   std::vector<double> x(1000, 1.0);
//   auto hx = rt.register_vector(std::span(x));
//   rt.submit(scale, {{hx, tessera::RW}}, 2.0);
//   rt.wait_all();
//   rt.unregister(hx);  // waits for the tasks that use x; x may be read afterwards

#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "tessera/codelet.hpp"
#include "tessera/config.hpp"
#include "tessera/data.hpp"
#include "tessera/observer.hpp"
#include "tessera/task.hpp"
#include "tessera/worker.hpp"

namespace tessera {

namespace detail {
class Engine;
struct Internals;
}  // namespace detail

class Runtime {
 public:
  // Starts the workers and the policy. Throws InvalidArgument / PolicyError for a bad
  // configuration (unknown policy, malformed environment variable, no worker).
  explicit Runtime(Config config = {});
  // Waits for every submitted task, then stops the workers (see shutdown()).
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // --- data ------------------------------------------------------------------------------
  // A null `ptr` asks the runtime to own zero-initialised storage of that shape.
  VectorHandle register_vector(void* ptr, std::size_t count, std::size_t elem_size);
  template <class T>
  VectorHandle register_vector(std::span<T> values) {
    return register_vector(static_cast<void*>(values.data()), values.size(), sizeof(T));
  }
  MatrixHandle register_matrix(void* ptr, std::size_t ld, std::size_t rows, std::size_t cols,
                               std::size_t elem_size);
  template <class T>
  MatrixHandle register_matrix(T* ptr, std::size_t ld, std::size_t rows, std::size_t cols) {
    return register_matrix(static_cast<void*>(ptr), ld, rows, cols, sizeof(T));
  }
  BlobHandle register_blob(void* ptr, std::size_t bytes);
  // Any C++ object as data: tasks that access it are ordered by their access modes like
  // any others, and reach it with TaskContext::object<T>(i), on whatever worker they run
  // (it is never copied between memory nodes: a GPU task gets the host object). The
  // runtime shares ownership of it until unregister(). Throws InvalidArgument if null.
  template <class T>
  ObjectHandle<T> register_object(std::shared_ptr<T> object) {
    return ObjectHandle<T>(
        register_object(std::shared_ptr<void>(object, object.get()), typeid(T)).shared());
  }
  // Waits until no submitted task uses `data` any more, then forgets it: the user's buffer
  // holds the final value, and later submissions with this handle throw.
  void unregister(const DataHandle& data);
  // Pins a host buffer (page-locked) so that copies to and from devices run at full speed
  // and asynchronously, like starpu_memory_pin: pin a large matrix once before registering
  // its tiles. Returns false where nothing was pinned (no device, or the system refused);
  // the runtime works either way. Unpin before freeing the buffer, after unregistering.
  bool pin_memory(void* ptr, std::size_t bytes);
  void unpin_memory(void* ptr);

  // --- tasks -----------------------------------------------------------------------------
  TaskBuilder task(const Codelet& codelet);
  // A task done outside the workers (see external.hpp); set its on_ready before submit.
  TaskBuilder external_task(std::string name);
  template <class... Args>
  TaskHandle submit(const Codelet& codelet, std::initializer_list<DataAccess> accesses,
                    Args&&... args) {
    TaskBuilder builder = task(codelet);
    builder.accesses(accesses);
    if constexpr (sizeof...(Args) > 0) builder.args(std::forward<Args>(args)...);
    return builder.submit();
  }
  // Blocks until every submitted task is done. If tasks failed since the last wait_all, throws
  // TaskFailed for the first failure (naming the task and the number of tasks it cancelled);
  // the runtime remains usable. Tasks cancelled with cancel() are not failures. Throws
  // InvalidArgument while the runtime is paused (it would never return).
  void wait_all();

  // Pause and resume (StarPU's starpu_pause/starpu_resume). While paused, no task starts:
  // submission goes on, and tasks that become ready are held back, then handed to the
  // policy at resume(), after its on_batch_submitted() hook, so that a planning policy
  // (inspirit, heft) sees the whole batch at once. Pauses nest: each pause() needs its
  // resume(); resume() without pause() throws InvalidArgument. shutdown() (and the
  // destructor) resumes a paused runtime and runs what it held. pause() from inside a task
  // throws InvalidArgument: pause and resume from the thread that submits the batch.
  void pause();
  void resume();
  bool paused() const;

  // Cancels a task that has not started: it will not run, nor will the tasks submitted so
  // far that depend on it (directly or not); the data they would have written keep their
  // last values, and tasks submitted after this call see those. A cancelled task becomes
  // done, with status cancelled, without running: when its predecessors are done, at
  // resume() if a pause holds it, or when a worker takes it if it was queued already;
  // wait_all does not report it, TaskHandle::wait throws
  // TaskCancelled. Returns true if the task will not run (also when it was cancelled
  // before, directly or through a task it depends on); false, changing nothing, if it
  // already started or ended.
  bool cancel(const TaskHandle& task);
  // cancel() for each task; returns how many will not run.
  std::size_t cancel(std::span<const TaskHandle> tasks);

  // Observers see every task start and end on its worker (see observer.hpp). Adding or
  // removing one is safe at any time; tasks running meanwhile may or may not be seen.
  void add_observer(std::shared_ptr<TaskObserver> observer);
  void remove_observer(const std::shared_ptr<TaskObserver>& observer);
  // Calls `listener` with each task failure (a TaskFailed) as soon as it happens, on the
  // thread that ran the task, before wait_all reports it; cancelled successors are not
  // reported. The distributed layer uses it to stop the other ranks early. Keep it short
  // and non-throwing; an empty function removes it.
  void on_task_failure(std::function<void(std::exception_ptr)> listener);
  // Waits for every submitted task, writes the trace and DOT files if configured, and stops
  // the workers. Later submissions throw RuntimeClosed. Idempotent.
  void shutdown();

  // --- introspection ---------------------------------------------------------------------
  const Config& config() const;  // resolved: environment applied
  // Tasks submitted and not finished yet (what Config::max_submitted bounds).
  std::int64_t unfinished_tasks() const;
  std::span<const WorkerInfo> workers() const;
  std::string_view policy_name() const;
  std::vector<WorkerStats> worker_stats() const;
  void reset_stats();
  // Writes what was recorded so far (needs trace_file / dot_file or a call to record_graph).
  void write_trace(const std::string& path) const;
  void write_dot(const std::string& path) const;
  // Start recording the submitted graph for write_dot (on by default when dot_file is set).
  void record_graph();

 private:
  friend struct detail::Internals;
  explicit Runtime(std::unique_ptr<detail::Engine> engine);
  DataHandle register_object(std::shared_ptr<void> object, const std::type_info& type);
  std::unique_ptr<detail::Engine> engine_;
};

}  // namespace tessera
