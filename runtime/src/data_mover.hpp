#pragma once
// DataMover: keeps the replicas of registered data coherent across the memory nodes of a
// real runtime (host memory plus devices) and moves them: the Coherency protocol decides,
// the MemoryNodes allocate and copy. Before a task runs on a node, its data are made valid
// there (copied on demand, room made by eviction) and pinned until it ends.

#include <boost/container/small_vector.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "coherency.hpp"
#include "machine_model.hpp"
#include "memory_node.hpp"
#include "tessera/task_context.hpp"

namespace tessera::detail {

struct Data;
struct Task;

class DataMover final : public MachineModel {
 public:
  // nodes[0] is host memory (null); the others are devices.
  explicit DataMover(std::vector<std::unique_ptr<MemoryNode>> nodes);
  ~DataMover() override;
  DataMover(const DataMover&) = delete;
  DataMover& operator=(const DataMover&) = delete;

  std::size_t node_count() const { return nodes_.size(); }
  MemoryNode* node(int id) const { return nodes_[static_cast<std::size_t>(id)].get(); }

  void add(const std::shared_ptr<Data>& data);
  // Makes every buffer of `task` valid on `node`, pins them, and returns their views.
  void acquire(Task& task, int node, boost::container::small_vector<BufferView, 4>& views);
  void release(Task& task, int node);
  // Brings the value home, frees every device replica, forgets the data (unregistration).
  void remove(Data& data);
  // remove() for every data still registered (shutdown).
  void remove_all();
  // MachineModel: a device's link to host memory; device to device goes through host memory.
  LinkModel link(int from, int to) const override;
  double expected_transfer_us(const Task& task, const WorkerInfo& worker) const override;
  // Runtime::pin_memory / unpin_memory.
  bool pin(void* host, std::size_t bytes);
  void unpin(void* host);
  // Objects (DataKind::object) never move: every node uses the host object.
  static bool moves(const Data& data);

 private:
  void perform(const Coherency::Action& action);
  void* scratch(int node, const Data& data);

  std::vector<std::unique_ptr<MemoryNode>> nodes_;
  mutable std::mutex mutex_;  // guards coherency_, by_index_, scratch_
  Coherency coherency_;
  std::vector<std::shared_ptr<Data>> by_index_;  // registered data, by coherency index
  std::map<std::pair<int, std::uint64_t>, std::pair<void*, std::size_t>> scratch_;
};

}  // namespace tessera::detail
