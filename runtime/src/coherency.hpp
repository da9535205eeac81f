#pragma once
// Coherency: where the valid copies (replicas) of each piece of data are, across memory
// nodes, with an MSI-like protocol:
//   reading on a node makes a replica valid there (copied from a valid one), shared with
//   the others; writing on a node makes it the only valid replica.
// Each node but the home node (0, host memory) has a capacity; making room evicts the least
// recently used unpinned replica, clean ones (valid elsewhere) first, a dirty one (the only
// valid copy) after writing it back home. The class only decides: the caller (simulator,
// or a real executor with device memory) performs the copies it returns, in order.

#include <cstdint>
#include <functional>
#include <list>
#include <vector>

#include "tessera/access.hpp"

namespace tessera::detail {

class Coherency {
 public:
  static constexpr int kHome = 0;

  // allocate: make room for a replica on `to`; copy: `from` -> `to`; writeback: a dirty
  // victim `from` -> home before it is evicted; evict: free the replica on `from`.
  enum class ActionKind : std::uint8_t { allocate, copy, writeback, evict };
  struct Action {
    ActionKind kind;
    std::size_t data;
    int from;
    int to;
    std::uint64_t bytes;
  };
  // Picks the node to copy from among those holding a valid replica (never empty).
  using SourceChooser =
      std::function<int(std::size_t data, int to, const std::vector<int>& valid_on)>;

  // Node n has capacity[n] bytes; node 0 is home and never evicts.
  explicit Coherency(std::vector<std::uint64_t> capacity);

  // Registers a piece of data, valid at home only. Returns its index.
  std::size_t add_data(std::uint64_t bytes);

  // Makes `data` usable on `node` for `mode` and pins it there; appends to `actions` the
  // evictions, write-backs and copies to carry out first. Throws Error if the node cannot
  // make room (everything pinned).
  // A prefetch passes pin = false: its replica may be evicted again before it is used.
  void acquire(std::size_t data, int node, Access mode, std::vector<Action>& actions,
               const SourceChooser& choose, bool pin = true);
  // Whether `node` has room for `data`, evicting only unpinned replicas.
  bool can_hold(std::size_t data, int node) const;
  void unpin(std::size_t data, int node);
  // Records that the home node received a valid copy (a transfer routed through it).
  void mark_home_valid(std::size_t data) { replica(data, kHome).valid = true; }
  // Pins and unpins a replica that a copy reads from, so it is not evicted meanwhile.
  void pin(std::size_t data, int node) { ++replica(data, node).pins; }
  // Makes home the only valid replica's node: frees every other replica (unregistration).
  // Returns the node to copy from first if home is not valid, else -1.
  int collect_home(std::size_t data, std::vector<Action>& actions);
  // After the caller copied `data` home (if collect_home asked) and freed its replicas.
  void finish_collect(std::size_t data);

  bool valid(std::size_t data, int node) const { return replica(data, node).valid; }
  std::vector<int> valid_nodes(std::size_t data) const;
  std::uint64_t used(int node) const { return nodes_[static_cast<std::size_t>(node)].used; }
  int pins(std::size_t data, int node) const { return replica(data, node).pins; }
  std::size_t node_count() const { return nodes_.size(); }

 private:
  struct Replica {
    bool allocated = false;
    bool valid = false;
    int pins = 0;
    std::list<std::size_t>::iterator lru;  // position in the node's LRU list when allocated
  };
  struct Node {
    std::uint64_t capacity = 0;
    std::uint64_t used = 0;
    std::list<std::size_t> lru;  // front: least recently used
  };

  Replica& replica(std::size_t data, int node) {
    return replicas_[data * nodes_.size() + static_cast<std::size_t>(node)];
  }
  const Replica& replica(std::size_t data, int node) const {
    return replicas_[data * nodes_.size() + static_cast<std::size_t>(node)];
  }
  void allocate(std::size_t data, int node, std::vector<Action>& actions);
  void free_replica(std::size_t data, int node);
  void touch(std::size_t data, int node);
  int valid_count(std::size_t data) const;

  std::vector<Node> nodes_;
  std::vector<std::uint64_t> bytes_;
  std::vector<Replica> replicas_;  // data-major
};

}  // namespace tessera::detail
