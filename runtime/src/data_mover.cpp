#include "data_mover.hpp"

#include <algorithm>
#include <limits>

#include "data_state.hpp"
#include "host_allocation.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

std::vector<std::uint64_t> capacities(const std::vector<std::unique_ptr<MemoryNode>>& nodes) {
  std::vector<std::uint64_t> c{std::numeric_limits<std::uint64_t>::max()};
  for (std::size_t i = 1; i < nodes.size(); ++i) c.push_back(nodes[i]->capacity());
  return c;
}

// Home first: a copy from it is one hop.
int prefer_home(std::size_t, int, const std::vector<int>& valid) {
  return std::find(valid.begin(), valid.end(), Coherency::kHome) != valid.end() ? Coherency::kHome
                                                                                : valid.front();
}

}  // namespace

DataMover::DataMover(std::vector<std::unique_ptr<MemoryNode>> nodes)
    : nodes_(std::move(nodes)), coherency_(capacities(nodes_)) {}

DataMover::~DataMover() {
  for (auto& [key, block] : scratch_) {
    if (key.first == Coherency::kHome) {
      ::operator delete(block.first);
    } else {
      nodes_[static_cast<std::size_t>(key.first)]->release(block.first, block.second);
    }
  }
}

bool DataMover::moves(const Data& data) {
  return data.layout.kind != DataKind::object;
}

void DataMover::add(const std::shared_ptr<Data>& data) {
  if (!moves(*data)) return;
  std::lock_guard lock(mutex_);
  data->coherency_index = coherency_.add_data(data->layout.bytes());
  data->replicas.assign(nodes_.size(), nullptr);
  by_index_.push_back(data);
  if (nodes_.size() > 1 && data->host_ptr != nullptr) {
    data->pinned = nodes_[1]->pin(data->host_ptr, data->layout.extent_bytes());
  }
}

void DataMover::perform(const Coherency::Action& a) {
  Data& d = *by_index_[a.data];
  const DataLayout& layout = d.layout;
  switch (a.kind) {
    case Coherency::ActionKind::allocate:
      d.replicas[static_cast<std::size_t>(a.to)] = node(a.to)->allocate(layout.bytes());
      break;
    case Coherency::ActionKind::evict:
      node(a.from)->release(d.replicas[static_cast<std::size_t>(a.from)], layout.bytes());
      d.replicas[static_cast<std::size_t>(a.from)] = nullptr;
      break;
    case Coherency::ActionKind::writeback:
      node(a.from)->copy_to_host(d.host_ptr, layout, d.replicas[static_cast<std::size_t>(a.from)]);
      break;
    case Coherency::ActionKind::copy:
      if (a.from != Coherency::kHome) {
        // Device to device goes through host memory. Home stays as the protocol left it:
        // when the copy feeds a write, the value staged there is already stale.
        node(a.from)->copy_to_host(d.host_ptr, layout,
                                   d.replicas[static_cast<std::size_t>(a.from)]);
      }
      if (a.to != Coherency::kHome) {
        node(a.to)->copy_from_host(d.replicas[static_cast<std::size_t>(a.to)], d.host_ptr, layout);
      }
      break;
  }
}

void DataMover::acquire(Task& task, int node_id,
                        boost::container::small_vector<BufferView, 4>& views) {
  // The task's distinct data, with the union of its modes on each, in address order.
  boost::container::small_vector<std::pair<Data*, Access>, 4> distinct;
  for (const TaskAccess& a : task.accesses) {
    if (is_scratch(a.mode) || !moves(*a.data)) continue;
    auto it = std::find_if(distinct.begin(), distinct.end(),
                           [&](const auto& p) { return p.first == a.data.get(); });
    if (it == distinct.end()) {
      distinct.emplace_back(a.data.get(), a.mode);
    } else {
      it->second = it->second | a.mode;
    }
  }
  std::sort(distinct.begin(), distinct.end());
  boost::container::small_vector<std::unique_lock<std::mutex>, 4> locks;
  for (auto& [data, mode] : distinct) locks.emplace_back(data->transfer_mutex);

  std::vector<Coherency::Action> actions;
  {
    std::lock_guard lock(mutex_);
    for (auto& [data, mode] : distinct)
      coherency_.acquire(data->coherency_index, node_id, mode, actions, prefer_home);
    for (const auto& a : actions) {
      if (a.kind == Coherency::ActionKind::copy) coherency_.pin(a.data, a.from);
    }
    // Victims (other data, evicted to make room) are handled before anyone can see the
    // protocol's new state: a written-back value must be home before a reader is told so.
    for (const auto& a : actions) {
      const bool ours = std::any_of(distinct.begin(), distinct.end(), [&](const auto& p) {
        return p.first->coherency_index == a.data;
      });
      if (!ours) perform(a);
    }
  }
  for (const auto& a : actions) {
    const bool ours = std::any_of(distinct.begin(), distinct.end(), [&](const auto& p) {
      return p.first->coherency_index == a.data;
    });
    if (ours) perform(a);
  }
  {
    std::lock_guard lock(mutex_);
    for (const auto& a : actions) {
      if (a.kind == Coherency::ActionKind::copy) coherency_.unpin(a.data, a.from);
    }
  }
  for (const TaskAccess& a : task.accesses) {
    if (is_scratch(a.mode)) {
      views.push_back({scratch(node_id, *a.data),
                       node_id == 0 ? a.data->layout : packed(a.data->layout), a.mode});
    } else if (node_id == Coherency::kHome || !moves(*a.data)) {
      views.push_back({a.data->host_ptr, a.data->layout, a.mode});
    } else {
      views.push_back(
          {a.data->replicas[static_cast<std::size_t>(node_id)], packed(a.data->layout), a.mode});
    }
  }
}

void DataMover::release(Task& task, int node_id) {
  std::lock_guard lock(mutex_);
  // One pin per distinct handle was taken (acquire merged duplicates).
  boost::container::small_vector<Data*, 4> seen;
  for (const TaskAccess& a : task.accesses) {
    if (is_scratch(a.mode) || !moves(*a.data) ||
        std::find(seen.begin(), seen.end(), a.data.get()) != seen.end())
      continue;
    seen.push_back(a.data.get());
    coherency_.unpin(a.data->coherency_index, node_id);
  }
}

void* DataMover::scratch(int node_id, const Data& data) {
  std::lock_guard lock(mutex_);
  auto& block = scratch_[{node_id, data.id}];
  if (block.first == nullptr) {
    block.second = std::max<std::size_t>(data.layout.extent_bytes(), 1);
    block.first =
        node_id == 0
            ? allocate_host(block.second, "the scratch buffer of data #" + std::to_string(data.id),
                            [&] { return ::operator new(block.second); })
            : node(node_id)->allocate(block.second);
  }
  return block.first;
}

void DataMover::remove(Data& data) {
  std::unique_lock transfer(data.transfer_mutex);
  std::vector<Coherency::Action> actions;
  int source;
  {
    std::lock_guard lock(mutex_);
    if (data.coherency_index >= by_index_.size() || by_index_[data.coherency_index] == nullptr)
      return;
    source = coherency_.collect_home(data.coherency_index, actions);
  }
  if (source > 0)
    node(source)->copy_to_host(data.host_ptr, data.layout,
                               data.replicas[static_cast<std::size_t>(source)]);
  for (const auto& a : actions) perform(a);
  std::lock_guard lock(mutex_);
  coherency_.finish_collect(data.coherency_index);
  if (data.pinned) nodes_[1]->unpin(data.host_ptr);
  by_index_[data.coherency_index] = nullptr;
}

void DataMover::remove_all() {
  std::vector<std::shared_ptr<Data>> all;
  {
    std::lock_guard lock(mutex_);
    for (const auto& d : by_index_) {
      if (d) all.push_back(d);
    }
  }
  for (const auto& d : all) remove(*d);
}

bool DataMover::pin(void* host, std::size_t bytes) {
  return nodes_.size() > 1 && nodes_[1]->pin(host, bytes);
}

void DataMover::unpin(void* host) {
  if (nodes_.size() > 1) nodes_[1]->unpin(host);
}

LinkModel DataMover::link(int from, int to) const {
  if (from == to) return {};
  if (from == Coherency::kHome) return node(to)->host_link();
  if (to == Coherency::kHome) return node(from)->host_link();
  return chain(node(from)->host_link(), node(to)->host_link());
}

double DataMover::expected_transfer_us(const Task& task, const WorkerInfo& worker) const {
  const int node_id = worker.memory_node;
  std::lock_guard lock(mutex_);
  double total = 0;
  for (const TaskAccess& a : task.accesses) {
    if (is_scratch(a.mode) || !reads(a.mode) || !moves(*a.data)) continue;
    const std::size_t index = a.data->coherency_index;
    if (index >= by_index_.size() || coherency_.valid(index, node_id)) continue;
    const std::vector<int> valid = coherency_.valid_nodes(index);
    if (valid.empty()) continue;
    const int from = prefer_home(index, node_id, valid);
    total += link(from, node_id).time_us(static_cast<double>(a.data->layout.bytes()));
  }
  return total;
}

}  // namespace tessera::detail
