#include "coherency.hpp"

#include <string>

#include "tessera/error.hpp"

namespace tessera::detail {

Coherency::Coherency(std::vector<std::uint64_t> capacity) {
  for (std::uint64_t c : capacity) nodes_.push_back(Node{c, 0, {}});
  if (nodes_.empty()) throw InvalidArgument("coherency needs at least the home memory node");
}

std::size_t Coherency::add_data(std::uint64_t bytes) {
  const std::size_t index = bytes_.size();
  bytes_.push_back(bytes);
  replicas_.resize(replicas_.size() + nodes_.size());
  Replica& home = replica(index, kHome);
  home.allocated = true;
  home.valid = true;
  nodes_[kHome].used += bytes;
  return index;
}

std::vector<int> Coherency::valid_nodes(std::size_t data) const {
  std::vector<int> out;
  for (std::size_t n = 0; n < nodes_.size(); ++n) {
    if (replica(data, static_cast<int>(n)).valid) out.push_back(static_cast<int>(n));
  }
  return out;
}

int Coherency::valid_count(std::size_t data) const {
  int count = 0;
  for (std::size_t n = 0; n < nodes_.size(); ++n)
    count += replica(data, static_cast<int>(n)).valid ? 1 : 0;
  return count;
}

void Coherency::touch(std::size_t data, int node) {
  if (node == kHome) return;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  Replica& r = replica(data, node);
  n.lru.splice(n.lru.end(), n.lru, r.lru);
}

void Coherency::free_replica(std::size_t data, int node) {
  Replica& r = replica(data, node);
  if (!r.allocated || node == kHome) {
    r.valid = node == kHome ? r.valid : false;
    return;
  }
  Node& n = nodes_[static_cast<std::size_t>(node)];
  n.lru.erase(r.lru);
  n.used -= bytes_[data];
  r.allocated = false;
  r.valid = false;
}

void Coherency::allocate(std::size_t data, int node, std::vector<Action>& actions) {
  Replica& r = replica(data, node);
  if (r.allocated) return;
  Node& n = nodes_[static_cast<std::size_t>(node)];
  const std::uint64_t need = bytes_[data];
  if (node != kHome) {
    if (!can_hold(data, node)) {
      throw Error("memory node " + std::to_string(node) + " (" + std::to_string(n.capacity) +
                  " bytes) cannot make room for " + std::to_string(need) +
                  " more bytes: the data of the tasks running there does not fit");
    }
    // Two passes over the LRU list: clean victims first, then dirty ones (written back).
    for (int pass = 0; pass < 2 && n.used + need > n.capacity; ++pass) {
      for (auto it = n.lru.begin(); it != n.lru.end() && n.used + need > n.capacity;) {
        const std::size_t victim = *it++;
        Replica& v = replica(victim, node);
        if (v.pins > 0) continue;
        const bool clean = !v.valid || valid_count(victim) > 1;
        if (pass == 0 && !clean) continue;
        if (!clean) {
          actions.push_back({ActionKind::writeback, victim, node, kHome, bytes_[victim]});
          replica(victim, kHome).valid = true;
        }
        actions.push_back({ActionKind::evict, victim, node, node, bytes_[victim]});
        free_replica(victim, node);
      }
    }
    if (n.used + need > n.capacity) {
      throw Error("memory node " + std::to_string(node) + " (" + std::to_string(n.capacity) +
                  " bytes) cannot make room for " + std::to_string(need) +
                  " more bytes: the data of the tasks running there does not fit");
    }
    n.lru.push_back(data);
    r.lru = std::prev(n.lru.end());
    actions.push_back({ActionKind::allocate, data, node, node, need});
  }
  n.used += need;
  r.allocated = true;
}

bool Coherency::can_hold(std::size_t data, int node) const {
  const Node& n = nodes_[static_cast<std::size_t>(node)];
  if (node == kHome || replica(data, node).allocated) return true;
  std::uint64_t evictable = 0;
  for (std::size_t victim : n.lru) {
    if (replica(victim, node).pins == 0) evictable += bytes_[victim];
  }
  return n.used - evictable + bytes_[data] <= n.capacity;
}

void Coherency::acquire(std::size_t data, int node, Access mode, std::vector<Action>& actions,
                        const SourceChooser& choose, bool pin) {
  if (is_scratch(mode)) return;
  Replica& r = replica(data, node);
  r.pins++;  // pinned while making room, so this replica is never its own victim
  try {
    allocate(data, node, actions);
  } catch (...) {
    r.pins--;
    throw;
  }
  if (!pin) r.pins--;
  if (reads(mode) && !r.valid) {
    const int from = choose(data, node, valid_nodes(data));
    actions.push_back({ActionKind::copy, data, from, node, bytes_[data]});
    r.valid = true;
  }
  if (writes(mode)) {
    // The only valid replica from now on: the others become stale.
    for (std::size_t other = 0; other < nodes_.size(); ++other) {
      if (static_cast<int>(other) == node) continue;
      Replica& o = replica(data, static_cast<int>(other));
      if (!o.valid) continue;
      if (o.pins > 0 || other == kHome) {
        o.valid = false;  // keep the allocation: pinned, or home memory
      } else {
        actions.push_back({ActionKind::evict, data, static_cast<int>(other),
                           static_cast<int>(other), bytes_[data]});
        free_replica(data, static_cast<int>(other));
      }
    }
    r.valid = true;
  }
  touch(data, node);
}

int Coherency::collect_home(std::size_t data, std::vector<Action>& actions) {
  int source = -1;
  if (!replica(data, kHome).valid) {
    for (std::size_t n = 1; n < nodes_.size(); ++n) {
      if (replica(data, static_cast<int>(n)).valid) {
        source = static_cast<int>(n);
        break;
      }
    }
  }
  for (std::size_t n = 1; n < nodes_.size(); ++n) {
    if (replica(data, static_cast<int>(n)).allocated) {
      actions.push_back(
          {ActionKind::evict, data, static_cast<int>(n), static_cast<int>(n), bytes_[data]});
    }
  }
  return source;
}

void Coherency::finish_collect(std::size_t data) {
  for (std::size_t n = 1; n < nodes_.size(); ++n) free_replica(data, static_cast<int>(n));
  replica(data, kHome).valid = true;
}

void Coherency::unpin(std::size_t data, int node) {
  Replica& r = replica(data, node);
  if (r.pins > 0) --r.pins;
}

}  // namespace tessera::detail
