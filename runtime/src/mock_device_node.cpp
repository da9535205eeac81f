#include <cstdlib>
#include <cstring>
#include <new>

#include "memory_node.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

// Copies a column-major block, row by column, between two leading dimensions.
void copy_2d(void* dst, std::size_t dst_ld, const void* src, std::size_t src_ld,
             const DataLayout& l) {
  const std::size_t column = l.rows * l.elem_size;
  for (std::size_t j = 0; j < l.cols; ++j) {
    std::memcpy(static_cast<char*>(dst) + j * dst_ld * l.elem_size,
                static_cast<const char*>(src) + j * src_ld * l.elem_size, column);
  }
}

class MockDeviceNode final : public MemoryNode {
 public:
  MockDeviceNode(std::string name, std::uint64_t capacity)
      : name_(std::move(name)), capacity_(capacity) {}
  std::string name() const override { return name_; }
  std::uint64_t capacity() const override { return capacity_; }
  void* allocate(std::size_t bytes) override {
    void* p = std::malloc(bytes == 0 ? 1 : bytes);
    if (p == nullptr)
      throw Error(name_ + ": out of memory allocating " + std::to_string(bytes) + " bytes");
    std::memset(p, 0xAB, bytes);  // garbage, like fresh device memory: stale reads show
    return p;
  }
  void release(void* ptr, std::size_t) noexcept override { std::free(ptr); }
  void copy_from_host(void* here, const void* host, const DataLayout& l) override {
    copy_2d(here, l.rows, host, l.ld, l);
  }
  void copy_to_host(void* host, const DataLayout& l, const void* here) override {
    copy_2d(host, l.ld, here, l.rows, l);
  }
  LinkModel host_link() const override { return {5.0, 1.0 / 10000.0, true}; }  // as 10 GB/s

 private:
  std::string name_;
  std::uint64_t capacity_;
};

}  // namespace

std::unique_ptr<MemoryNode> make_mock_device_node(std::string name, std::uint64_t capacity) {
  return std::make_unique<MockDeviceNode>(std::move(name), capacity);
}

}  // namespace tessera::detail
