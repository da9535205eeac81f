#pragma once
// Registers objects with a Runtime and unregisters them on every path out of a scope, so
// that no task outlives the objects it uses (also when a task failed and wait_all threw).

#include <memory>
#include <vector>

#include <tessera/runtime.hpp>

namespace tessera::logs {

class ObjectRegistrations {
 public:
  explicit ObjectRegistrations(Runtime& rt) : rt_(rt) {}
  ObjectRegistrations(const ObjectRegistrations&) = delete;
  ObjectRegistrations& operator=(const ObjectRegistrations&) = delete;
  template <typename T>
  ObjectHandle<T> add(std::shared_ptr<T> object) {
    auto h = rt_.register_object(std::move(object));
    handles_.push_back(h);
    return h;
  }
  ~ObjectRegistrations() {
    for (auto& h : handles_) {
      try {
        rt_.unregister(h);
      } catch (...) {  // a failed task's error was already reported by wait_all
      }
    }
  }

 private:
  Runtime& rt_;
  std::vector<DataHandle> handles_;
};

// Runs `submit` (which submits tasks, and may wait on some) and then waits for every task.
// When either throws, it still waits for the tasks in flight, so that none outlives the
// objects it uses, and rethrows the first failure.
template <typename Submit>
void submit_then_wait_all(Runtime& rt, Submit&& submit) {
  try {
    submit();
    rt.wait_all();
  } catch (...) {
    try {
      rt.wait_all();
    } catch (...) {  // the same failure; the first one is rethrown below
    }
    throw;
  }
}

}  // namespace tessera::logs
