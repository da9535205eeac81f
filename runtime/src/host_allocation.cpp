#include "host_allocation.hpp"

#include <cstdio>

#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

std::atomic<int> injected_failures{0};

}  // namespace

void fail_next_host_allocations(int count) {
  injected_failures.store(count, std::memory_order_relaxed);
}

bool host_allocation_failure_injected() {
  int left = injected_failures.load(std::memory_order_relaxed);
  while (left > 0) {
    if (injected_failures.compare_exchange_weak(left, left - 1, std::memory_order_relaxed))
      return true;
  }
  return false;
}

void throw_host_allocation_failure(std::size_t bytes, const std::string& what) {
  char size[64];
  std::snprintf(size, sizeof size, "%zu bytes (%.3g GB)", bytes, static_cast<double>(bytes) / 1e9);
  throw Error(std::string("cannot allocate ") + size + " of host memory for " + what);
}

}  // namespace tessera::detail
