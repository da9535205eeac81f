#pragma once
// MemoryNode: the storage of one memory node of a real (not simulated) runtime: how to
// allocate there and copy between there and host memory. Node 0 is host memory and needs
// none of it. CUDA devices implement it with cudaMalloc/cudaMemcpy2DAsync; tests use a
// mock device that is plain host memory, so the coherency machinery runs without a GPU.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "tessera/data.hpp"
#include "tessera/policy.hpp"

namespace tessera::detail {

class MemoryNode {
 public:
  virtual ~MemoryNode() = default;
  virtual std::string name() const = 0;
  virtual std::uint64_t capacity() const = 0;
  // Throws Error when the node cannot allocate (callers evict first, within capacity()).
  virtual void* allocate(std::size_t bytes) = 0;
  virtual void release(void* ptr, std::size_t bytes) noexcept = 0;
  // Copies one datum between host memory (with the host layout's leading dimension) and
  // this node (packed: leading dimension = rows). Returns once the copy is complete.
  virtual void copy_from_host(void* here, const void* host, const DataLayout& host_layout) = 0;
  virtual void copy_to_host(void* host, const DataLayout& host_layout, const void* here) = 0;
  // Pins user memory for fast, asynchronous transfers. True if this call pinned it (then
  // unpin must follow); false if it could not, or if the range was pinned already.
  virtual bool pin(void* /*host*/, std::size_t /*bytes*/) { return false; }
  virtual void unpin(void* /*host*/) {}
  // The link between this node and host memory (one bus: copies queue on it).
  virtual LinkModel host_link() const = 0;
};

// The layout a datum has on a device node: the same shape, packed.
inline DataLayout packed(const DataLayout& l) {
  DataLayout p = l;
  p.ld = l.rows;
  return p;
}

// A device node made of host memory: for tests and machines without a GPU.
std::unique_ptr<MemoryNode> make_mock_device_node(std::string name, std::uint64_t capacity);

}  // namespace tessera::detail
