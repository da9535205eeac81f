#pragma once
// Data handles: buffers registered with a Runtime. The runtime tracks which tasks read
// and write each handle and infers dependencies from that; later it also moves replicas
// between memory nodes. Handles are cheap to copy (shared ownership of the registration).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <typeinfo>

namespace tessera {

namespace detail {
struct Data;
}

// object: any C++ object (Runtime::register_object); it carries dependencies but is never
// copied between memory nodes, and counts as 0 bytes in transfer estimates.
enum class DataKind : std::uint8_t { vector, matrix, blob, object };

constexpr std::string_view to_string(DataKind kind) {
  switch (kind) {
    case DataKind::vector:
      return "vector";
    case DataKind::matrix:
      return "matrix";
    case DataKind::blob:
      return "blob";
    case DataKind::object:
      return "object";
  }
  return "unknown";
}

// Shape of a registered buffer. Matrices are column-major, as in BLAS and LAPACK:
// element (i, j) lives at base + (i + j * ld) * elem_size.
struct DataLayout {
  DataKind kind = DataKind::blob;
  std::size_t elem_size = 1;  // bytes per element (1 for blobs)
  std::size_t rows = 0;       // vector: element count; blob: byte count
  std::size_t cols = 1;
  std::size_t ld = 0;                    // leading dimension in elements, >= rows
  const std::type_info* type = nullptr;  // object: the registered object's type

  // Bytes of useful data (what a transfer moves).
  constexpr std::size_t bytes() const { return rows * cols * elem_size; }
  // Bytes spanned in memory from the first to the last element, padding included.
  constexpr std::size_t extent_bytes() const {
    return rows == 0 || cols == 0 ? 0 : ((cols - 1) * ld + rows) * elem_size;
  }
  friend constexpr bool operator==(const DataLayout&, const DataLayout&) = default;
};

// A registered buffer of any kind. A default-constructed handle is null.
class DataHandle {
 public:
  DataHandle() = default;
  explicit DataHandle(std::shared_ptr<detail::Data> data) : data_(std::move(data)) {}

  bool valid() const noexcept { return data_ != nullptr; }
  explicit operator bool() const noexcept { return valid(); }

  // Stable identifier, unique within the process.
  std::uint64_t id() const;
  const DataLayout& layout() const;
  DataKind kind() const { return layout().kind; }
  std::size_t bytes() const { return layout().bytes(); }
  // Name used in traces and error messages ("data#<id>" unless set).
  std::string name() const;
  void set_name(std::string name);
  // False once the handle was unregistered.
  bool registered() const;

  detail::Data* get() const noexcept { return data_.get(); }
  const std::shared_ptr<detail::Data>& shared() const noexcept { return data_; }
  friend bool operator==(const DataHandle& a, const DataHandle& b) { return a.data_ == b.data_; }

 private:
  std::shared_ptr<detail::Data> data_;
};

// A contiguous vector of `size()` elements of `elem_size()` bytes.
class VectorHandle : public DataHandle {
 public:
  VectorHandle() = default;
  explicit VectorHandle(std::shared_ptr<detail::Data> data) : DataHandle(std::move(data)) {}
  std::size_t size() const { return layout().rows; }
  std::size_t elem_size() const { return layout().elem_size; }
};

// A column-major matrix with a leading dimension.
class MatrixHandle : public DataHandle {
 public:
  MatrixHandle() = default;
  explicit MatrixHandle(std::shared_ptr<detail::Data> data) : DataHandle(std::move(data)) {}
  std::size_t rows() const { return layout().rows; }
  std::size_t cols() const { return layout().cols; }
  std::size_t ld() const { return layout().ld; }
  std::size_t elem_size() const { return layout().elem_size; }
};

// An opaque block of bytes.
class BlobHandle : public DataHandle {
 public:
  BlobHandle() = default;
  explicit BlobHandle(std::shared_ptr<detail::Data> data) : DataHandle(std::move(data)) {}
  std::size_t size() const { return layout().rows; }
};

// A registered C++ object of type T (a model, a cache, a parse tree, a result whose size
// is known only once a task has run). Tasks reach it with TaskContext::object<T>(i).
template <class T>
class ObjectHandle : public DataHandle {
 public:
  ObjectHandle() = default;
  explicit ObjectHandle(std::shared_ptr<detail::Data> data) : DataHandle(std::move(data)) {}
};

}  // namespace tessera
