#pragma once
// Host allocations of the data layer (storage the runtime owns, scratch buffers). Their
// sizes come from the application, so they can fail: a failure becomes an Error naming the
// size and the datum, the runtime stays usable, and tests can make the next ones fail.

#include <atomic>
#include <cstddef>
#include <new>
#include <string>

namespace tessera::detail {

// Test hook (testing.hpp): the next `count` host allocations of the data layer fail.
void fail_next_host_allocations(int count);
// Whether an injected failure is due now (consumes it).
bool host_allocation_failure_injected();
[[noreturn]] void throw_host_allocation_failure(std::size_t bytes, const std::string& what);

// Runs `allocate()`, which allocates `bytes` of host memory for `what`; an injected failure
// or std::bad_alloc becomes tessera::Error "cannot allocate ... for <what>".
template <class Allocate>
decltype(auto) allocate_host(std::size_t bytes, const std::string& what, Allocate&& allocate) {
  if (host_allocation_failure_injected()) throw_host_allocation_failure(bytes, what);
  try {
    return allocate();
  } catch (const std::bad_alloc&) {
    throw_host_allocation_failure(bytes, what);
  } catch (const std::length_error&) {
    throw_host_allocation_failure(bytes, what);
  }
}

}  // namespace tessera::detail
