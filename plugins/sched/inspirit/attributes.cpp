#include "inspirit/attributes.hpp"

#include <algorithm>
#include <cstdint>
#include <functional>
#include <stdexcept>

namespace tessera::inspirit {
namespace {

// A well-mixed 32-bit rank per addition (splitmix64, high half); never the all-ones value.
std::uint32_t rank_of(std::uint64_t addition) {
  std::uint64_t x = addition + 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  x ^= x >> 31;
  return std::min<std::uint32_t>(static_cast<std::uint32_t>(x >> 32), 0xfffffffeu);
}

}  // namespace

Attributes::Attributes(Options options)
    : k_(static_cast<std::uint32_t>(options.sketch_size)), options_(options) {
  if (options.sketch_size < 3 || options.sketch_size > 4096) {
    throw std::invalid_argument("INSPIRIT sketch size must be in [3, 4096]");
  }
}

double Attributes::horizon_us() const {
  if (options_.horizon_us > 0) return options_.horizon_us;
  return added_ == 0 ? 0.0 : options_.horizon_factor * weight_sum_ / static_cast<double>(added_);
}

double Attributes::ability(Node node) const {
  if (!options_.track_ability)
    throw std::logic_error("INSPIRIT attributes: ability is not tracked");
  const NodeData& n = nodes_[node];
  if (n.sketch_count < k_) return n.sketch_count;
  const double kth =
      (static_cast<double>(sketch(node)[0]) + 1.0) / 4294967296.0;  // the heap's largest
  return static_cast<double>(k_ - 1) / kth;
}

bool Attributes::offer(Node node, std::uint32_t rank) {
  // The sketch is a max-heap of the k smallest ranks seen: the test against its largest is
  // one comparison, an insertion log(k) moves. A rank is never offered twice to one node:
  // ranks are distinct and one propagation visits a node once.
  NodeData& n = nodes_[node];
  std::uint32_t* heap = sketch(node);
  if (n.sketch_count < k_) {
    std::size_t i = n.sketch_count++;
    while (i > 0) {
      const std::size_t parent = (i - 1) / 2;
      if (heap[parent] >= rank) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = rank;
    return true;
  }
  if (rank >= heap[0]) return false;
  std::size_t i = 0;
  while (true) {
    const std::size_t left = 2 * i + 1;
    if (left >= k_) break;
    std::size_t larger = left;
    if (left + 1 < k_ && heap[left + 1] > heap[left]) larger = left + 1;
    if (heap[larger] <= rank) break;
    heap[i] = heap[larger];
    i = larger;
  }
  heap[i] = rank;
  return true;
}

std::uint32_t Attributes::next_stamp() {
  if (++last_stamp_ == 0) {
    for (NodeData& n : nodes_) n.ability_stamp = n.efi_stamp = 0;
    last_stamp_ = 1;
  }
  return last_stamp_;
}

void Attributes::propagate_ability(Node added, std::uint32_t rank) {
  const std::uint32_t stamp = last_stamp_;
  stack_.clear();
  for (Node p : preds(added)) stack_.push_back(p);
  while (!stack_.empty()) {
    const Node a = stack_.back();
    stack_.pop_back();
    NodeData& n = nodes_[a];
    if (n.ability_stamp == stamp || n.finished) continue;
    n.ability_stamp = stamp;
    // If the rank does not enter this sketch it enters none above: their descendants
    // include this one's, so their k-th smallest rank is at most this one's.
    if (!offer(a, rank)) continue;
    for (Node p : preds(a)) stack_.push_back(p);
  }
}

void Attributes::propagate_efficiency(Node added, double weight, double horizon) {
  if (horizon <= 0.0 || weight > horizon) return;  // no weights known yet: nothing to rank by
  const std::uint32_t stamp = last_stamp_;
  heap_.clear();
  const auto later = std::greater<>();
  for (Node p : preds(added)) heap_.emplace_back(weight, p);
  std::make_heap(heap_.begin(), heap_.end(), later);
  std::size_t budget = kMaxEfficiencyVisits;
  while (!heap_.empty() && budget > 0) {
    std::pop_heap(heap_.begin(), heap_.end(), later);
    const auto [distance, a] = heap_.back();
    heap_.pop_back();
    NodeData& n = nodes_[a];
    if (n.efi_stamp == stamp || n.finished) continue;  // settled at a shorter distance already
    n.efi_stamp = stamp;
    ++n.efficiency;
    --budget;
    const double further = distance + n.weight;
    if (further > horizon) continue;
    for (Node p : preds(a)) {
      if (nodes_[p].efi_stamp != stamp) {
        heap_.emplace_back(further, p);
        std::push_heap(heap_.begin(), heap_.end(), later);
      }
    }
  }
}

void Attributes::raise_ancestors_of(Node added) {
  stack_.clear();
  stack_.push_back(added);
  std::size_t budget = kMaxBottomLevelVisits;
  while (!stack_.empty() && budget-- > 0) {
    const Node child = stack_.back();
    stack_.pop_back();
    const float level = nodes_[child].bottom_level;
    for (Node p : preds(child)) {
      NodeData& parent = nodes_[p];
      if (parent.finished) continue;
      const float candidate = parent.weight + level;
      if (candidate > parent.bottom_level) {
        parent.bottom_level = candidate;
        stack_.push_back(p);  // its own ancestors may grow too
      }
    }
  }
}

void Attributes::settle_bottom_levels() {
  if (unsettled_.empty()) return;
  if (unsettled_.size() == 1) {
    // One addition (a read after every submission): a depth-first walk that raises each
    // ancestor while its level grows is cheaper than the ordered pass (no heap), and as exact.
    raise_ancestors_of(unsettled_.front());
    unsettled_.clear();
    return;
  }
  if (++level_pass_ == 0) {
    for (NodeData& n : nodes_) n.level_stamp = 0;
    level_pass_ = 1;
  }
  const std::uint32_t pass = level_pass_;
  // Node ids are a topological order, so popping the largest id first finishes every node
  // before any of its predecessors: each one is raised to its final level before it raises
  // theirs, and enters the heap at most once per pass.
  id_heap_.clear();
  for (Node added : unsettled_) {
    nodes_[added].level_stamp = pass;
    id_heap_.push_back(added);
  }
  std::make_heap(id_heap_.begin(), id_heap_.end());
  const std::size_t additions = unsettled_.size();
  std::size_t budget =
      additions > SIZE_MAX / kMaxBottomLevelVisits ? SIZE_MAX : additions * kMaxBottomLevelVisits;
  unsettled_.clear();
  while (!id_heap_.empty() && budget-- > 0) {
    std::pop_heap(id_heap_.begin(), id_heap_.end());
    const Node child = id_heap_.back();
    id_heap_.pop_back();
    const float level = nodes_[child].bottom_level;
    for (Node p : preds(child)) {
      NodeData& parent = nodes_[p];
      if (parent.finished) continue;
      const float candidate = parent.weight + level;
      if (candidate > parent.bottom_level) {
        parent.bottom_level = candidate;
        if (parent.level_stamp != pass) {  // its own ancestors may grow too
          parent.level_stamp = pass;
          id_heap_.push_back(p);
          std::push_heap(id_heap_.begin(), id_heap_.end());
        }
      }
    }
  }
}

Attributes::Node Attributes::add(std::span<const Node> predecessors, double weight_us) {
  const Node id = static_cast<Node>(nodes_.size());
  NodeData node;
  node.first_pred = static_cast<std::uint32_t>(preds_.size());
  for (Node p : predecessors) {
    if (p >= id)
      throw std::invalid_argument(
          "INSPIRIT attributes: a predecessor must be added before its successor");
    preds_.push_back(p);
  }
  node.pred_count = static_cast<std::uint32_t>(predecessors.size());
  node.weight = static_cast<float>(std::max(0.0, weight_us));
  node.bottom_level = node.weight;
  node.rank = rank_of(added_++);
  nodes_.push_back(node);
  weight_sum_ += node.weight;
  next_stamp();
  if (options_.track_ability) {
    sketches_.resize(sketches_.size() + k_);
    propagate_ability(id, node.rank);
  }
  propagate_efficiency(id, node.weight, horizon_us());
  unsettled_.push_back(id);
  return id;
}

std::vector<Attributes::Node> Attributes::compact() {
  settle_bottom_levels();  // the pending additions' ids are about to change
  std::vector<Node> renumber(nodes_.size(), kDropped);
  Node kept = 0;
  for (Node n = 0; n < nodes_.size(); ++n) {
    if (!nodes_[n].finished) renumber[n] = kept++;
  }
  std::vector<NodeData> nodes;
  std::vector<Node> preds;
  std::vector<std::uint32_t> sketches;
  nodes.reserve(kept);
  if (options_.track_ability) sketches.reserve(static_cast<std::size_t>(kept) * k_);
  for (Node n = 0; n < nodes_.size(); ++n) {
    if (renumber[n] == kDropped) continue;
    NodeData data = nodes_[n];
    // Finished predecessors stop every propagation: leaving them out changes nothing.
    data.first_pred = static_cast<std::uint32_t>(preds.size());
    for (Node p : this->preds(n)) {
      if (renumber[p] != kDropped) preds.push_back(renumber[p]);
    }
    data.pred_count = static_cast<std::uint32_t>(preds.size()) - data.first_pred;
    nodes.push_back(data);
    if (options_.track_ability) sketches.insert(sketches.end(), sketch(n), sketch(n) + k_);
  }
  nodes_ = std::move(nodes);
  preds_ = std::move(preds);
  sketches_ = std::move(sketches);
  finished_ = 0;
  return renumber;
}

}  // namespace tessera::inspirit
