#include "tessera/runtime.hpp"

#include "task_state.hpp"

#include "data_state.hpp"
#include "engine.hpp"
#include "tessera/error.hpp"

namespace tessera {

Runtime::Runtime(Config config)
    : engine_(std::make_unique<detail::Engine>(detail::Engine::threaded(std::move(config)))) {}

Runtime::Runtime(std::unique_ptr<detail::Engine> engine) : engine_(std::move(engine)) {}

Runtime::~Runtime() = default;

namespace {

// The bytes a layout spans, checked: an element count times an element size may not fit.
void check_extent(const char* call, std::size_t ld, std::size_t rows, std::size_t cols,
                  std::size_t elem_size) {
  std::size_t span = 0;
  std::size_t bytes = 0;
  const bool overflow =
      cols > 0 && rows > 0 &&
      (__builtin_mul_overflow(cols - 1, ld, &span) || __builtin_add_overflow(span, rows, &span) ||
       __builtin_mul_overflow(span, elem_size, &bytes));
  if (overflow) {
    throw InvalidArgument(std::string(call) + ": " + std::to_string(rows) + " x " +
                          std::to_string(cols) + " elements (leading dimension " +
                          std::to_string(ld) + ") of " + std::to_string(elem_size) +
                          " bytes do not fit in a size_t");
  }
}

}  // namespace

VectorHandle Runtime::register_vector(void* ptr, std::size_t count, std::size_t elem_size) {
  if (elem_size == 0) throw InvalidArgument("register_vector: the element size must be positive");
  check_extent("register_vector", count, count, 1, elem_size);
  return VectorHandle(engine_->register_data(ptr, {DataKind::vector, elem_size, count, 1, count}));
}

MatrixHandle Runtime::register_matrix(void* ptr, std::size_t ld, std::size_t rows, std::size_t cols,
                                      std::size_t elem_size) {
  if (elem_size == 0) throw InvalidArgument("register_matrix: the element size must be positive");
  if (ld < rows || ld == 0) {
    throw InvalidArgument("register_matrix: leading dimension " + std::to_string(ld) +
                          " must be positive and at least the row count " + std::to_string(rows));
  }
  check_extent("register_matrix", ld, rows, cols, elem_size);
  return MatrixHandle(engine_->register_data(ptr, {DataKind::matrix, elem_size, rows, cols, ld}));
}

BlobHandle Runtime::register_blob(void* ptr, std::size_t bytes) {
  return BlobHandle(engine_->register_data(ptr, {DataKind::blob, 1, bytes, 1, bytes}));
}

DataHandle Runtime::register_object(std::shared_ptr<void> object, const std::type_info& type) {
  return DataHandle(engine_->register_object(std::move(object), type));
}

void Runtime::unregister(const DataHandle& data) {
  if (!data.valid()) throw InvalidArgument("unregister: null data handle");
  engine_->unregister(*data.get());
}

bool Runtime::pin_memory(void* ptr, std::size_t bytes) {
  if (ptr == nullptr || bytes == 0) throw InvalidArgument("pin_memory: null or empty buffer");
  return engine_->pin_memory(ptr, bytes);
}

void Runtime::unpin_memory(void* ptr) {
  engine_->unpin_memory(ptr);
}

TaskBuilder Runtime::task(const Codelet& codelet) {
  return TaskBuilder(*engine_, codelet);
}

TaskBuilder Runtime::external_task(std::string name) {
  // No worker ever runs it: the kernel only makes the codelet well-formed.
  static const Codelet external = Codelet("external").cpu([](TaskContext&) {});
  TaskBuilder builder(*engine_, external);
  builder.name(std::move(name));
  builder.task_->is_external = true;
  return builder;
}

void Runtime::on_task_failure(std::function<void(std::exception_ptr)> listener) {
  engine_->set_failure_listener(std::move(listener));
}

void Runtime::wait_all() {
  engine_->wait_all();
}
void Runtime::pause() {
  engine_->pause();
}
void Runtime::resume() {
  engine_->resume();
}
bool Runtime::paused() const {
  return engine_->paused();
}
bool Runtime::cancel(const TaskHandle& task) {
  if (!task.valid()) throw InvalidArgument("cancel: null task handle");
  return engine_->cancel(*detail::Internals::task(task));
}
std::size_t Runtime::cancel(std::span<const TaskHandle> tasks) {
  std::size_t cancelled = 0;
  for (const TaskHandle& task : tasks) cancelled += cancel(task) ? 1 : 0;
  return cancelled;
}
void Runtime::add_observer(std::shared_ptr<TaskObserver> observer) {
  engine_->add_observer(std::move(observer));
}
void Runtime::remove_observer(const std::shared_ptr<TaskObserver>& observer) {
  engine_->remove_observer(observer);
}
std::int64_t Runtime::unfinished_tasks() const {
  return engine_->unfinished_tasks();
}
void Runtime::shutdown() {
  engine_->shutdown();
}
const Config& Runtime::config() const {
  return engine_->config();
}
std::span<const WorkerInfo> Runtime::workers() const {
  return engine_->workers();
}
std::string_view Runtime::policy_name() const {
  return engine_->policy().name();
}
std::vector<WorkerStats> Runtime::worker_stats() const {
  return engine_->worker_stats();
}
void Runtime::reset_stats() {
  engine_->reset_stats();
}
void Runtime::write_trace(const std::string& path) const {
  engine_->write_trace(path);
}
void Runtime::write_dot(const std::string& path) const {
  engine_->write_dot(path);
}
void Runtime::record_graph() {
  engine_->record_graph();
}

}  // namespace tessera
