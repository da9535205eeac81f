#pragma once
// Internals: the runtime's own access to what the public types keep private (the task
// behind a handle, a builder for an engine, a Runtime around an engine). Only the runtime's
// sources and its white-box tests include this header.

#include <memory>

#include "tessera/runtime.hpp"
#include "tessera/task.hpp"

namespace tessera::detail {

class Engine;
struct Task;

struct Internals {
  static Task* task(const TaskHandle& handle) noexcept { return handle.task_; }
  static TaskHandle handle(Task* task) noexcept { return TaskHandle(task); }
  static Task* pending(const TaskBuilder& builder) noexcept { return builder.task_; }
  static TaskBuilder builder(Engine& engine, const Codelet& codelet) {
    return TaskBuilder(engine, codelet);
  }
  static Engine& engine(Runtime& runtime) noexcept { return *runtime.engine_; }
  static std::unique_ptr<Runtime> runtime(std::unique_ptr<Engine> engine) {
    return std::unique_ptr<Runtime>(new Runtime(std::move(engine)));
  }
};

}  // namespace tessera::detail
