#pragma once
// External tasks: tasks of the graph whose work happens outside the workers — a message
// arriving or leaving (the MPI layer), a file written, a device event. They take part in
// dependency inference like any task. When one becomes ready, the runtime calls its
// on_ready function with an ExternalTask, on the thread that made it ready (often a worker:
// start the work there, do not wait for it); the task ends when done() or fail() is
// called, once, from any thread. Its data are valid in host memory from on_ready to then.
//
//   rt.external_task("recv A").access(a, tessera::W)
//       .on_ready([&](tessera::ExternalTask t) { post_receive(t.data(0), t); })
//       .submit();
//   ... later, on the progress thread: t.done();

#include <cstddef>
#include <exception>
#include <functional>
#include <string_view>

#include "tessera/data.hpp"

namespace tessera {

namespace detail {
struct Task;
}

class ExternalTask {
 public:
  explicit ExternalTask(detail::Task* task) noexcept : task_(task) {}
  // Host memory of the task's access `i` (in submission order).
  void* data(std::size_t access) const;
  const DataLayout& layout(std::size_t access) const;
  std::string_view name() const;
  // Ends the task: its successors may run. Exactly one of done()/fail() must be called.
  void done() const;
  // Ends the task as failed with `error` (its successors are cancelled; wait_all rethrows).
  void fail(std::exception_ptr error) const;

 private:
  detail::Task* task_;
};

using ExternalReady = std::function<void(ExternalTask)>;

}  // namespace tessera
