#pragma once
// TaskContext: what a kernel sees while it runs — its buffers (already valid on the
// worker's memory node), its by-value arguments, and where it runs.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <typeinfo>

#include "tessera/access.hpp"
#include "tessera/arch.hpp"
#include "tessera/args.hpp"
#include "tessera/data.hpp"
#include "tessera/device_context.hpp"
#include "tessera/worker.hpp"

namespace tessera {

// A column-major view of a matrix buffer.
template <class T>
struct MatrixView {
  T* data = nullptr;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t ld = 0;
  T& operator()(std::size_t i, std::size_t j) const { return data[i + j * ld]; }
};

// One buffer of a running task: its address on the worker's memory node and its layout
// there (the leading dimension may differ between nodes).
struct BufferView {
  void* ptr = nullptr;
  DataLayout layout;
  Access mode = Access::R;
};

namespace detail {
[[noreturn]] void throw_bad_buffer(std::string_view task, std::size_t index, std::size_t count,
                                   const BufferView* buffer, DataKind wanted,
                                   std::size_t wanted_elem_size, const std::type_info& type);
}  // namespace detail

class TaskContext {
 public:
  TaskContext(std::string_view task_name, std::span<const BufferView> buffers, const ArgPack& args,
              WorkerId worker, Arch arch, int memory_node,
              const DeviceContext* device = nullptr) noexcept
      : task_name_(task_name),
        buffers_(buffers),
        args_(&args),
        worker_(worker),
        arch_(arch),
        memory_node_(memory_node),
        device_(device) {}

  std::size_t num_buffers() const noexcept { return buffers_.size(); }
  const BufferView& buffer(std::size_t i) const {
    if (i >= buffers_.size())
      detail::throw_bad_buffer(task_name_, i, buffers_.size(), nullptr, DataKind::blob, 0,
                               typeid(void));
    return buffers_[i];
  }
  void* raw(std::size_t i) const { return buffer(i).ptr; }

  // Buffer i as a vector of T; throws if it is not a vector of sizeof(T)-byte elements.
  template <class T>
  std::span<T> vector(std::size_t i) const {
    const BufferView& b = checked(i, DataKind::vector, sizeof(T), typeid(T));
    return {static_cast<T*>(b.ptr), b.layout.rows};
  }
  // Buffer i as a matrix of T; throws if it is not a matrix of sizeof(T)-byte elements.
  template <class T>
  MatrixView<T> matrix(std::size_t i) const {
    const BufferView& b = checked(i, DataKind::matrix, sizeof(T), typeid(T));
    return {static_cast<T*>(b.ptr), b.layout.rows, b.layout.cols, b.layout.ld};
  }
  // Buffer i as the object registered with Runtime::register_object<T>; throws if it is
  // not an object of exactly type T. Writing to it needs a W or RW access, as for buffers.
  template <class T>
  T& object(std::size_t i) const {
    const BufferView& b = buffer(i);
    if (b.layout.kind != DataKind::object || b.layout.type == nullptr ||
        *b.layout.type != typeid(T)) {
      detail::throw_bad_buffer(task_name_, i, buffers_.size(), &b, DataKind::object, 0, typeid(T));
    }
    return *static_cast<T*>(b.ptr);
  }
  // Buffer i as bytes (any kind; matrices include their padding).
  std::span<std::byte> bytes(std::size_t i) const {
    const BufferView& b = buffer(i);
    return {static_cast<std::byte*>(b.ptr), b.layout.extent_bytes()};
  }

  // The by-value argument at `index`, which must have been passed with exactly type T.
  template <class T>
  const T& arg(std::size_t index) const {
    return args_->get<T>(index);
  }
  const ArgPack& args() const noexcept { return *args_; }

  std::string_view task_name() const noexcept { return task_name_; }
  WorkerId worker() const noexcept { return worker_; }
  Arch arch() const noexcept { return arch_; }
  int memory_node() const noexcept { return memory_node_; }
  // The CUDA worker's stream and library handles; null on other workers.
  const DeviceContext* device() const noexcept { return device_; }

 private:
  const BufferView& checked(std::size_t i, DataKind kind, std::size_t elem,
                            const std::type_info& type) const {
    if (i >= buffers_.size() || buffers_[i].layout.kind != kind ||
        buffers_[i].layout.elem_size != elem) {
      detail::throw_bad_buffer(task_name_, i, buffers_.size(),
                               i < buffers_.size() ? &buffers_[i] : nullptr, kind, elem, type);
    }
    return buffers_[i];
  }

  std::string_view task_name_;
  std::span<const BufferView> buffers_;
  const ArgPack* args_;
  WorkerId worker_;
  Arch arch_;
  int memory_node_;
  const DeviceContext* device_;
};

}  // namespace tessera
