// A complete scheduling policy in one file: the example of docs/policies.md.
//
// "lifo" keeps every ready task on one stack and hands out the most recently readied task
// first. Built as a shared object, it is loaded at run time with
//   TESSERA_SCHED=/path/to/libtessera_example_policy.so
// and accepts one option, e.g. TESSERA_SCHED=/path/libtessera_example_policy.so:log=1

#include <cstdio>
#include <mutex>
#include <vector>

#include <tessera/policy.hpp>

namespace {

class LifoPolicy final : public tessera::Policy {
 public:
  explicit LifoPolicy(const tessera::PolicyOptions& options)
      : log_(options.get_bool("log", false)) {
    options.expect_only("lifo", {"log"});
  }

  std::string_view name() const override { return "lifo"; }

  // A task became ready: keep it. Any idle worker may take it.
  tessera::WorkerId push(tessera::TaskView task) override {
    std::lock_guard lock(mutex_);
    stack_.push_back(task);
    return tessera::kAnyWorker;
  }

  // An idle worker asks for work: the newest task it can run.
  tessera::TaskView pop(tessera::WorkerId worker) override {
    std::lock_guard lock(mutex_);
    for (auto it = stack_.rbegin(); it != stack_.rend(); ++it) {
      if (host().can_execute(*it, worker)) {
        tessera::TaskView task = *it;
        stack_.erase(std::next(it).base());
        return task;
      }
    }
    return {};
  }

  void on_finish(tessera::TaskView task, tessera::WorkerId worker) override {
    if (log_)
      std::fprintf(stderr, "lifo: %s done on worker %d\n", std::string(task.name()).c_str(),
                   worker);
  }

 private:
  bool log_;
  std::mutex mutex_;
  std::vector<tessera::TaskView> stack_;
};

}  // namespace

TESSERA_EXPORT_POLICY(LifoPolicy)
