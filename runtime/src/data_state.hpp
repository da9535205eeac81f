#pragma once
// Internal representation of a registered data handle: its layout and host buffer, the
// sequential-task-flow dependency state, and the exclusion lock of commuting writers.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tessera/data.hpp"
#include "tessera/spin_mutex.hpp"

namespace tessera::detail {

struct Task;
class Engine;

// Which tasks the next access must wait for. Every pointer holds a task reference.
struct DependencyState {
  void clear();  // releases every task reference

  std::vector<Task*> writers;        // the last write group: one writer, or a closed commute group
  std::vector<Task*> readers;        // readers since that group
  std::vector<Task*> commuters;      // the open group of commuting writers
  std::vector<Task*> commute_preds;  // what the open commute group waits for
};

struct Data {
  Data() = default;
  Data(const Data&) = delete;
  Data& operator=(const Data&) = delete;
  ~Data();  // releases the task references of its dependency state

  std::uint64_t id = 0;
  Engine* owner = nullptr;
  DataLayout layout;
  void* host_ptr = nullptr;
  std::unique_ptr<std::byte[]> owned;  // storage the runtime allocated (null ptr at registration)
  std::shared_ptr<void> object;        // a registered object (DataKind::object), until unregister

  std::atomic<bool> registered{true};
  bool pinned = false;  // its registration pinned its host memory (DataMover)
  std::atomic<std::int32_t> users{
      0};  // submitted, unfinished tasks accessing this data (32 bits: futex-native wait)

  mutable std::mutex name_mutex;
  std::string name;

  SpinMutex dep_mutex;  // held for the few instructions of one access's rule
  DependencyState deps;

  // Replicas on other memory nodes (index = node; [0] unused: host_ptr), and what the
  // DataMover needs; only used when the runtime has device memory nodes.
  std::vector<void*> replicas;
  std::size_t coherency_index = static_cast<std::size_t>(-1);
  std::mutex transfer_mutex;

  std::mutex commute_mutex;
  bool commute_held = false;
  std::vector<Task*> parked;  // commuting tasks waiting for the holder to finish

  std::string display_name() const;
};

}  // namespace tessera::detail
