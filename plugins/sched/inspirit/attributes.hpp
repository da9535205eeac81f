#pragma once
// INSPIRIT's task attributes, maintained online as tasks are added to a growing DAG (each
// task after its predecessors):
//
//   ability(t)     inspiring ability: how many tasks t's completion eventually enables,
//                  the number of its transitive descendants;
//   efficiency(t)  inspiring efficiency: how many of those it enables quickly, the number of
//                  descendants d whose shortest path from t (summing the expected durations
//                  of the tasks after t, d included) stays within a horizon.
//
// Ability uses a bottom-k reachability sketch (Cohen, "Size-estimation framework with
// applications to transitive closure and reachability", JCSS 1997): every task gets a
// random 32-bit rank, and every task keeps the k smallest ranks among its descendants.
// While a task has fewer than k descendants the sketch holds them all and the count is
// exact; beyond, (k - 1) / (k-th smallest rank, scaled to [0,1)) estimates it without bias,
// with a coefficient of variation of at most 1 / sqrt(k - 2) (0.18 for the default k = 32).
// Adding a task sends its rank up the graph only as far as it enters sketches, so the work
// per task is about k log(n) sketch updates, not the number of its ancestors.
//
// Efficiency is exact: adding a task runs a shortest-path search up the graph that stops at
// the horizon. Tasks marked finished stop both propagations: their attributes no longer
// matter, nor do those of their ancestors (finished too). So finished tasks can be dropped
// altogether: compact() renumbers the unfinished ones, and a graph that grows for hours keeps
// a memory proportional to its unfinished part.
//
// This class knows nothing of Tessera's runtime: the StarPU plug-in uses it too.

#include <cstdint>
#include <span>
#include <vector>

namespace tessera::inspirit {

class Attributes {
 public:
  using Node = std::uint32_t;

  struct Options {
    int sketch_size = 32;     // k, at least 3
    double horizon_us = 0.0;  // > 0: fixed horizon; else horizon_factor x mean task weight
    double horizon_factor = 2.0;
    bool track_ability = true;  // the sketch is the costly part: skip it when unused
  };

  Attributes() : Attributes(Options{}) {}
  explicit Attributes(Options options);

  // Adds a task whose predecessors were added before (ids of finished predecessors are
  // fine). `weight_us` is its expected duration, on the fastest kind of worker.
  Node add(std::span<const Node> predecessors, double weight_us);
  void mark_finished(Node node) {
    if (!nodes_[node].finished) ++finished_;
    nodes_[node].finished = true;
  }
  // Whether compact() would free much: most nodes are finished, and there are many.
  bool worth_compacting() const { return nodes_.size() >= 4096 && 2 * finished_ > nodes_.size(); }
  // Drops the finished nodes and renumbers the others in the same order (predecessors still
  // come first). Returns the new number of each old node, kDropped for the finished ones.
  static constexpr Node kDropped = static_cast<Node>(-1);
  std::vector<Node> compact();

  double ability(Node node) const;
  // The longest path from the task to the end of the graph known so far, each task costing
  // its weight (its own included): the classic "bottom level", exact. Additions only record
  // themselves; the first read after them raises the ancestors of all of them in one pass in
  // decreasing node order, so a node is raised at most once per pass however many of its
  // descendants were added (a chain of n tasks submitted before it runs costs O(n), not
  // O(n^2)).
  double bottom_level(Node node) {
    settle_bottom_levels();
    return nodes_[node].bottom_level;
  }
  bool ability_is_exact(Node node) const { return nodes_[node].sketch_count < k_; }
  std::uint32_t efficiency(Node node) const { return nodes_[node].efficiency; }
  double horizon_us() const;
  std::size_t size() const { return nodes_.size(); }  // nodes held (since the last compact)
  int sketch_size() const { return static_cast<int>(k_); }

 private:
  struct NodeData {
    std::uint32_t first_pred = 0;  // into preds_
    std::uint32_t pred_count = 0;
    float weight = 0.0f;
    float bottom_level = 0.0f;
    std::uint32_t efficiency = 0;
    std::uint16_t sketch_count = 0;
    bool finished = false;
    std::uint32_t ability_stamp = 0;  // last addition that visited it (ability pass)
    std::uint32_t efi_stamp = 0;      // same, efficiency pass
    std::uint32_t level_stamp = 0;    // last bottom-level pass that queued it
    std::uint32_t rank = 0;           // its random rank in the ability sketches
  };

  std::span<const Node> preds(Node n) const {
    return {preds_.data() + nodes_[n].first_pred, nodes_[n].pred_count};
  }
  std::uint32_t* sketch(Node n) { return sketches_.data() + static_cast<std::size_t>(n) * k_; }
  const std::uint32_t* sketch(Node n) const {
    return sketches_.data() + static_cast<std::size_t>(n) * k_;
  }
  // Inserts `rank` into node's sketch; false if it does not belong there (prune).
  bool offer(Node n, std::uint32_t rank);
  void propagate_ability(Node added, std::uint32_t rank);
  // One submission settles at most this many ancestors, so that it costs bounded time even
  // when the unfinished graph is a long chain that the horizon does not cut; beyond the bound
  // the attributes are partial. Bottom levels get a larger bound per addition waiting to be
  // settled: a tiled Cholesky on 64 x 64 tiles needs more than 4096 updates for some
  // submissions. (The ability sketch needs no bound: a rank that does not enter a node's
  // sketch stops the walk there.)
  static constexpr std::size_t kMaxEfficiencyVisits = 4096;
  static constexpr std::size_t kMaxBottomLevelVisits = 1 << 18;
  void propagate_efficiency(Node added, double weight, double horizon);
  void settle_bottom_levels();
  void raise_ancestors_of(Node added);  // settles a single addition

  std::uint32_t k_;
  Options options_;
  std::vector<NodeData> nodes_;
  std::vector<Node> preds_;
  std::vector<std::uint32_t> sketches_;
  double weight_sum_ = 0.0;
  std::uint64_t added_ = 0;       // nodes ever added (the horizon's mean weight is over them)
  std::size_t finished_ = 0;      // held nodes marked finished
  std::uint32_t last_stamp_ = 0;  // of the latest addition (stamps survive compaction)
  // A fresh stamp for one addition; on wrap-around every node's stamps are reset.
  std::uint32_t next_stamp();
  // Additions whose ancestors' bottom levels are not raised yet, and the pass counter.
  std::vector<Node> unsettled_;
  std::uint32_t level_pass_ = 0;
  // Scratch space reused by every addition.
  std::vector<Node> stack_;
  std::vector<Node> id_heap_;
  std::vector<std::pair<double, Node>> heap_;
};

}  // namespace tessera::inspirit
