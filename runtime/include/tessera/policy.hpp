#pragma once
// The scheduling-policy API. A policy decides where and when ready tasks run:
//   push(task)   a task became ready (all its predecessors finished);
//   pop(worker)  an idle worker asks for work;
// with hooks when a task is submitted, starts and finishes. The same policy object runs
// under real worker threads and under the virtual-time simulator; it cannot tell which.
//
// Threading: under real workers, push/pop and the hooks are called concurrently from
// worker threads and from submitting threads, so a policy protects its own queues.
//
// Registering a built-in policy (see plugins/sched/ and docs/policies.md):
//   TESSERA_REGISTER_POLICY(MyPolicy, "mine", "one line of description");
// Exporting one from a shared object loaded with TESSERA_SCHED=/path/libmine.so:
//   TESSERA_EXPORT_POLICY(MyPolicy)

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/access.hpp"
#include "tessera/arch.hpp"
#include "tessera/data.hpp"
#include "tessera/perf_model.hpp"
#include "tessera/worker.hpp"

namespace tessera {

namespace detail {
struct Task;
}

// Per-task storage reserved for the policy (zeroed at submission).
struct PolicySlot {
  std::int64_t i[2] = {0, 0};
  double d[4] = {0, 0, 0, 0};
  void* p = nullptr;
};

// One data access of a task, as a policy sees it (also of a finished predecessor: it is a
// copy made at submission). Compare data by data_id; `data` is an opaque identity.
struct AccessView {
  std::uint64_t data_id = 0;
  Access mode = Access::R;
  DataLayout layout;
  detail::Data* data = nullptr;
};

// Read access to a task for policies. A TaskView is a pointer: valid from submission until
// the task finished (on_finish returned); predecessors are readable until then too.
class TaskView {
 public:
  TaskView() = default;
  explicit TaskView(detail::Task* task) noexcept : task_(task) {}

  explicit operator bool() const noexcept { return task_ != nullptr; }
  friend bool operator==(TaskView a, TaskView b) noexcept { return a.task_ == b.task_; }
  detail::Task* get() const noexcept { return task_; }

  std::uint64_t id() const;       // submission order, from 0
  std::string_view name() const;  // the task's name, or its codelet's
  std::string_view codelet_name() const;
  int priority() const;  // larger runs first under priority-aware policies
  bool can_run_on(Arch arch) const;
  // An external task (external.hpp): it is never pushed, no worker runs it, and it ends
  // with on_external_done. Planning policies leave it out of their plans.
  bool is_external() const;
  Footprint footprint() const;  // the key of its performance model
  double flops() const;         // 0 when unknown
  std::size_t num_accesses() const;
  AccessView access(std::size_t index) const;
  PolicySlot& slot() const;

  // Calls fn(TaskView) for each known successor (tasks submitted so far that depend on this
  // one). The list grows while later tasks are submitted.
  void for_each_successor(const std::function<void(TaskView)>& fn) const;
  void for_each_predecessor(const std::function<void(TaskView)>& fn) const;
  std::vector<TaskView> successors() const;
  std::vector<TaskView> predecessors() const;

 private:
  detail::Task* task_ = nullptr;
};

// The model of the link between two memory nodes: a copy of `bytes` takes
// latency_us + bytes * us_per_byte. Between nodes without a direct link, the route through
// host memory (both hops summed). Within one node, or for 0 bytes, a copy costs nothing.
struct LinkModel {
  double latency_us = 0.0;
  double us_per_byte = 0.0;
  // Whether copies over it wait for each other (true of real buses; a simulated platform
  // may declare links without contention).
  bool shared = false;
  double time_us(double bytes) const { return bytes > 0 ? latency_us + bytes * us_per_byte : 0.0; }
};

// What the runtime (real or simulated) offers to its policy.
class PolicyHost {
 public:
  virtual ~PolicyHost() = default;
  virtual std::span<const WorkerInfo> workers() const = 0;
  // Microseconds since the runtime started: wall clock, or virtual time in the simulator.
  virtual double now_us() const = 0;
  // The worker calling into the policy, or kAnyWorker from a submitting thread.
  virtual WorkerId current_worker() const = 0;
  // Expected kernel duration of `task` on `worker` from its codelet's performance model;
  // nullopt when the model has no prediction (uncalibrated or no model).
  virtual std::optional<double> expected_length_us(TaskView task, WorkerId worker) const = 0;
  // Expected time to make the task's data valid on the worker's memory node.
  virtual double expected_transfer_us(TaskView task, WorkerId worker) const = 0;
  // The machine's link between two memory nodes (ignoring what else is in flight).
  virtual LinkModel link(int from_node, int to_node) const = 0;
  // A seed for policies that draw random numbers (fixed in the simulator).
  virtual std::uint64_t seed() const = 0;
  // Whether `worker` can run `task`: its codelet implements the worker's architecture, the
  // task is not restricted to other workers (TaskBuilder::on_worker/on_arch), and nothing
  // else (per-kind costs in a simulation, for instance) rules it out.
  virtual bool can_execute(TaskView task, WorkerId worker) const = 0;
  // Starts moving the task's input data to the worker's memory node now (as StarPU's dmda
  // does when it queues a task for a worker). Harmless when the data is already there.
  virtual void prefetch(TaskView task, WorkerId worker) = 0;
  // The same for one of the task's accesses only (its index in TaskView::access).
  virtual void prefetch_access(TaskView task, std::size_t access, WorkerId worker) = 0;

  // Expected time to move `bytes` between two memory nodes (link(from, to).time_us).
  double transfer_time_us(int from_node, int to_node, double bytes) const {
    return from_node == to_node ? 0.0 : link(from_node, to_node).time_us(bytes);
  }
  bool link_is_shared(int from_node, int to_node) const {
    return from_node != to_node && link(from_node, to_node).shared;
  }
};

// One option a policy takes, as `tessera policies --options NAME` lists it. `default_value`
// is text the option accepts that gives the default behaviour.
struct PolicyOptionInfo {
  std::string name;
  std::string default_value;
  std::string meaning;
};

// key=value options given after the policy name: "dmda:alpha=1,beta=0.5".
class PolicyOptions {
 public:
  PolicyOptions() = default;
  // Parses "k=v,k2=v2" (empty text gives no options). Throws InvalidArgument if malformed.
  static PolicyOptions parse(std::string_view text);

  bool has(std::string_view key) const { return values_.find(std::string(key)) != values_.end(); }
  std::string get(std::string_view key, std::string fallback) const;
  double get_double(std::string_view key, double fallback) const;
  long get_int(std::string_view key, long fallback) const;
  bool get_bool(std::string_view key, bool fallback) const;
  // Throws InvalidArgument naming the first key of `values` that `known` lacks (without the
  // policy's name: create_policy prefixes "policy '<name>': " to what a factory throws).
  void expect_only(std::string_view policy, std::initializer_list<std::string_view> known) const;
  // The same, with the names of `known` (the list the policy registered).
  void expect_only(std::string_view policy, std::span<const PolicyOptionInfo> known) const;
  const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

class Policy {
 public:
  virtual ~Policy() = default;

  virtual std::string_view name() const = 0;

  // Called by the runtime once, before any other call.
  void attach(PolicyHost& host) {
    host_ = &host;
    on_attach();
  }

  virtual void on_attach() {}
  // The task was submitted; its predecessors are known, it is not ready yet. Calls come one
  // at a time, in submission order, so a task's predecessors have all been seen before it.
  virtual void on_submit(TaskView /*task*/) {}
  // The task is ready. Queue it; return the worker whose queue received it (that worker is
  // woken), or kAnyWorker when any idle worker may take it.
  virtual WorkerId push(TaskView task) = 0;
  // `worker` is idle: hand it a task it can run, or a null TaskView. Never blocks.
  virtual TaskView pop(WorkerId worker) = 0;
  virtual void on_start(TaskView /*task*/, WorkerId /*worker*/) {}
  // The kernel returned (or threw); successors are released after this hook.
  virtual void on_finish(TaskView /*task*/, WorkerId /*worker*/) {}
  // The task will never run (it was cancelled, or a task it depends on failed). It may
  // have been pushed and popped: the runtime then calls this instead of running it.
  virtual void on_cancel(TaskView /*task*/) {}
  // An external task (never pushed: see external.hpp) ended, successfully or not.
  virtual void on_external_done(TaskView /*task*/) {}
  // Batches (Runtime::pause / resume): a batch begins when the runtime is paused; it is
  // complete when it resumes, and the tasks held meanwhile are pushed right after
  // on_batch_submitted. A planning policy plans the whole batch there.
  virtual void on_batch_begin() {}
  virtual void on_batch_submitted() {}

 protected:
  PolicyHost& host() const { return *host_; }

 private:
  PolicyHost* host_ = nullptr;
};

using PolicyFactory = std::function<std::unique_ptr<Policy>(const PolicyOptions&)>;

struct PolicyInfo {
  std::string name;
  std::string description;
  std::vector<PolicyOptionInfo> options;  // what `name:k=v,...` accepts
};

// The process-wide policy registry (the one piece of global mutable state).
void register_policy(std::string name, std::string description, PolicyFactory factory,
                     std::vector<PolicyOptionInfo> options = {});
// The registered policy called `name`; throws PolicyError naming it and the known ones.
PolicyInfo policy_info(std::string_view name);
std::vector<PolicyInfo> registered_policies();
bool is_registered_policy(std::string_view name);
// `spec` is "name", "name:k=v,...", or the path of a shared object (contains '/' or ends in
// ".so") optionally followed by ":k=v,...". Throws PolicyError naming the problem.
std::unique_ptr<Policy> create_policy(std::string_view spec);

inline constexpr int kPolicyAbiVersion = 2;

}  // namespace tessera

// Entry point of a policy shared object: returns a new policy, or null if the ABI version
// differs. Define it with TESSERA_EXPORT_POLICY.
extern "C" {
using tessera_create_policy_fn = tessera::Policy* (*)(int abi_version, const char* options);
}

#define TESSERA_POLICY_CONCAT_INNER(a, b) a##b
#define TESSERA_POLICY_CONCAT(a, b) TESSERA_POLICY_CONCAT_INNER(a, b)

// TESSERA_REGISTER_POLICY(Class, "name", "description"[, options]): `options`, a
// std::vector<PolicyOptionInfo>, lists what the policy accepts (none if left out).
#define TESSERA_REGISTER_POLICY(Class, policy_name, description, ...)                       \
  namespace {                                                                               \
  [[maybe_unused]] const bool TESSERA_POLICY_CONCAT(tessera_policy_registered_, __LINE__) = \
      (::tessera::register_policy(policy_name, description,                                 \
                                  [](const ::tessera::PolicyOptions& options) {             \
                                    return std::unique_ptr<::tessera::Policy>(              \
                                        std::make_unique<Class>(options));                  \
                                  } __VA_OPT__(, ) __VA_ARGS__),                            \
       true);                                                                               \
  }

// The raw pointer crosses a C ABI; the runtime takes ownership at once.
#define TESSERA_EXPORT_POLICY(Class)                                                          \
  extern "C" __attribute__((visibility("default"))) ::tessera::Policy* tessera_create_policy( \
      int abi_version, const char* options) {                                                 \
    if (abi_version != ::tessera::kPolicyAbiVersion) return nullptr;                          \
    return std::make_unique<Class>(::tessera::PolicyOptions::parse(options ? options : ""))   \
        .release();                                                                           \
  }
