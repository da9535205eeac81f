// TaskHandle and TaskBuilder.

#include "data_state.hpp"
#include "engine.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"
#include "tessera/task.hpp"

namespace tessera {
namespace {

detail::Task& checked(detail::Task* task) {
  if (task == nullptr) throw InvalidArgument("operation on a null task handle");
  return *task;
}

}  // namespace

std::uint64_t TaskHandle::id() const {
  return checked(task_).id;
}
std::string TaskHandle::name() const {
  return std::string(checked(task_).display_name());
}
bool TaskHandle::done() const {
  return (checked(task_).state.load(std::memory_order_acquire) & detail::kTaskDone) != 0;
}
TaskStatus TaskHandle::status() const {
  return checked(task_).status();
}
void TaskHandle::wait() const {
  checked(task_).engine->wait(*task_);
}

TaskBuilder::TaskBuilder(detail::Engine& engine, const Codelet& codelet)
    : engine_(&engine), task_(engine.new_task(codelet)) {}

TaskBuilder::~TaskBuilder() {
  if (task_ != nullptr) detail::release(task_);
}

detail::Task& TaskBuilder::task() const {
  if (task_ == nullptr) throw InvalidArgument("this TaskBuilder was already submitted");
  return *task_;
}

TaskBuilder& TaskBuilder::access(const DataHandle& data, Access mode) {
  detail::Task& t = task();
  if (!data.valid() || !is_valid(mode)) [[unlikely]] {
    const std::string where =
        "task '" + std::string(t.display_name()) + "', access " + std::to_string(t.accesses.size());
    if (!data.valid()) throw InvalidArgument(where + ": null data handle");
    throw InvalidArgument(where + " on data '" + data.name() + "': invalid access mode " +
                          to_string(mode) +
                          " (use R, W, RW, SCRATCH, or W/RW combined with COMMUTE)");
  }
  t.accesses.push_back({data.shared(), mode, data.id(), data.get(), data.layout()});
  return *this;
}

TaskBuilder& TaskBuilder::accesses(std::initializer_list<DataAccess> list) {
  for (const DataAccess& a : list) access(a.data, a.mode);
  return *this;
}

TaskBuilder& TaskBuilder::priority(int value) {
  task().priority = value;
  return *this;
}

TaskBuilder& TaskBuilder::name(std::string value) {
  task().name = std::move(value);
  return *this;
}

TaskBuilder& TaskBuilder::after(const TaskHandle& other) {
  detail::Task& t = task();
  if (!other.valid())
    throw InvalidArgument("task '" + std::string(t.display_name()) +
                          "': after() got a null task handle");
  t.explicit_after.push_back(detail::retained(detail::Internals::task(other)));
  return *this;
}

TaskBuilder& TaskBuilder::after(std::span<const TaskHandle> others) {
  for (const TaskHandle& other : others) after(other);
  return *this;
}

TaskBuilder& TaskBuilder::on_worker(WorkerId worker) {
  detail::Task& t = task();
  if (worker < 0)
    throw InvalidArgument("task '" + std::string(t.display_name()) + "': on_worker(" +
                          std::to_string(worker) + ") is not a worker id");
  t.only_worker = worker;
  return *this;
}

TaskBuilder& TaskBuilder::on_arch(Arch arch) {
  task().arch_mask = static_cast<std::uint8_t>(1u << index_of(arch));
  return *this;
}

TaskBuilder& TaskBuilder::on_done(TaskCallback fn) {
  detail::Task& t = task();
  if (!fn)
    throw InvalidArgument("on_done: empty function for task '" + std::string(t.display_name()) +
                          "'");
  t.on_done = std::move(fn);
  return *this;
}

TaskBuilder& TaskBuilder::set_args(ArgPack pack) {
  task().args = std::move(pack);
  return *this;
}

TaskBuilder& TaskBuilder::on_ready(ExternalReady fn) {
  detail::Task& t = task();
  if (!t.is_external)
    throw InvalidArgument("on_ready: task '" + std::string(t.display_name()) +
                          "' is not an external task");
  if (!fn)
    throw InvalidArgument("on_ready: empty function for task '" + std::string(t.display_name()) +
                          "'");
  t.external = std::move(fn);
  return *this;
}

TaskHandle TaskBuilder::submit() {
  task();
  return engine_->submit(std::exchange(task_, nullptr));
}

}  // namespace tessera
