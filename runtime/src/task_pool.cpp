#include "task_pool.hpp"

#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "task_state.hpp"

namespace tessera::detail {
namespace {

constexpr std::size_t kBlock = sizeof(Task);
constexpr std::size_t kBatch = 64;  // blocks moved between a thread and the shared list at once
constexpr std::size_t kMaxSharedBatches = 256;  // beyond this, freed memory goes back to the system

struct FreeBlock {
  FreeBlock* next;
};

struct Batch {
  FreeBlock* head = nullptr;
  std::size_t count = 0;
};

class SharedList {
 public:
  bool take(Batch& out) {
    std::lock_guard lock(mutex_);
    if (batches_.empty()) return false;
    out = batches_.back();
    batches_.pop_back();
    return true;
  }
  void give(Batch batch) {
    if (batch.head == nullptr) return;
    {
      std::lock_guard lock(mutex_);
      if (batches_.size() < kMaxSharedBatches) {
        batches_.push_back(batch);
        return;
      }
    }
    release(batch);
  }
  static void release(Batch batch) {
    while (batch.head != nullptr) {
      FreeBlock* next = batch.head->next;
      ::operator delete(static_cast<void*>(batch.head), std::align_val_t(alignof(Task)));
      batch.head = next;
    }
  }

 private:
  std::mutex mutex_;
  std::vector<Batch> batches_;
};

SharedList& shared_list() {
  // Never destroyed: worker threads of a runtime in a static object may free blocks late.
  static SharedList* list = new SharedList();
  return *list;
}

// Each thread's cache of free blocks. Trivially destructible, so that a thread-local access
// is a plain load (initial-exec model, no guard): its blocks are handed back by CacheFlusher,
// registered the first time the thread caches a block.
struct ThreadCache {
  Batch blocks;

  void* pop() {
    if (blocks.head == nullptr && !shared_list().take(blocks)) return nullptr;
    FreeBlock* block = blocks.head;
    blocks.head = block->next;
    --blocks.count;
    return block;
  }
  void push(void* p);
};

thread_local ThreadCache cache __attribute__((tls_model("initial-exec")));
thread_local bool flusher_registered __attribute__((tls_model("initial-exec"))) = false;

struct CacheFlusher {
  ~CacheFlusher() { shared_list().give(std::exchange(cache.blocks, Batch{})); }
};

void ThreadCache::push(void* p) {
  if (!flusher_registered) {
    flusher_registered = true;
    static thread_local CacheFlusher flusher;  // its destructor runs at thread exit
    (void)flusher;
  }
  auto* block = static_cast<FreeBlock*>(p);
  block->next = blocks.head;
  blocks.head = block;
  if (++blocks.count == 2 * kBatch) {
    // Hand half to the shared list: split after kBatch blocks.
    FreeBlock* cut = blocks.head;
    for (std::size_t i = 1; i < kBatch; ++i) cut = cut->next;
    Batch handed{blocks.head, kBatch};
    blocks.head = cut->next;
    cut->next = nullptr;
    blocks.count = kBatch;
    shared_list().give(handed);
  }
}

}  // namespace

// Sanitizers must see every allocation and free to catch use-after-free: no recycling there.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kRecycle = false;
#else
constexpr bool kRecycle = true;
#endif

void* TaskPool::allocate(std::size_t bytes) {
  if (kRecycle && bytes == kBlock) {
    if (void* block = cache.pop()) return block;
  }
  return ::operator new(bytes, std::align_val_t(alignof(Task)));
}

void TaskPool::deallocate(void* block, std::size_t bytes) noexcept {
  if (kRecycle && bytes == kBlock) {
    cache.push(block);
    return;
  }
  ::operator delete(block, std::align_val_t(alignof(Task)));
}

}  // namespace tessera::detail
