#pragma once
// TaskPool: recycles task-sized blocks of memory. Tasks are typically allocated by the
// submitting thread and freed by a worker; with plain malloc that cross-thread traffic
// serialises on the allocator's arena lock. Each thread keeps a small cache of free blocks
// and exchanges whole batches with a shared list, so the lock is taken once per batch.
// The pool holds no state anyone can observe: it only caches memory.

#include <cstddef>

namespace tessera::detail {

class TaskPool {
 public:
  static void* allocate(std::size_t bytes);
  static void deallocate(void* block, std::size_t bytes) noexcept;
};

}  // namespace tessera::detail
