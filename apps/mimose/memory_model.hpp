#pragma once
// What the planners know of memory: per-block activation bytes as functions of the input
// size, learned online by quadratic least squares, and the peak of an iteration under a
// checkpointing plan predicted from them. Plain arithmetic, no LibTorch.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tessera::mimose {

// y = c0 + c1 x + c2 x^2 fitted by least squares to the latest value seen at each distinct x
// (fewer terms while fewer than three sizes were seen).
class QuadraticFit {
 public:
  void add(double x, double y);
  // Keeps the largest value seen at x (a conservative fit of something that varies).
  void add_max(double x, double y);
  std::optional<double> predict(double x) const;
  std::size_t sizes() const noexcept { return samples_.size(); }

 private:
  void refit();
  std::map<double, double> samples_;
  double c0_ = 0, c1_ = 0, c2_ = 0;
};

// Which blocks drop their activations in forward and are recomputed before their backward.
// Blocks of one recompute group are recomputed together, before the backward of the last
// of them (the segments of the sublinear planner); otherwise each block is its own group.
struct Plan {
  std::vector<bool> checkpoint;
  std::vector<int> group;         // per block; -1 when not checkpointed
  bool dynamic_eviction = false;  // DTR: evict under pressure, recompute on use

  static Plan none(std::size_t blocks);
  static Plan all(std::size_t blocks);
  // Checkpoints the given blocks, each on its own.
  static Plan of(std::size_t blocks, const std::vector<std::size_t>& checkpointed);
  std::size_t checkpointed() const;
  // One character per block: 'c' checkpointed, '.' kept ('e' marks DTR evictions in reports).
  std::string text() const;
  // True when block i's recompute group ends at i (its recomputation starts there).
  bool group_ends_at(std::size_t i) const;
};

// What one iteration measured (the meter's bytes, wall-clock seconds).
struct MemoryObservation {
  std::int64_t input_size = 0;
  std::vector<double> block_bytes;    // activations a block keeps for its backward
  std::vector<double> block_seconds;  // its forward
  double output_bytes = 0;            // one block's output, kept by a checkpointed block
  double base_bytes = 0;              // live when the iteration starts
  double peak_bytes = 0;              // the iteration's peak
  Plan plan;
};

// The peak of an iteration above its base, for a plan: the largest, over the backward of
// each block j, of what the earlier blocks keep (all of a kept block, the output of a
// checkpointed one, all of the blocks recomputed with j) plus what j holds, plus a
// transient term (gradients, temporaries) fitted to what the structural part misses.
double structural_peak(const Plan& plan, const std::vector<double>& block_bytes,
                       double output_bytes);

class PeakPredictor {
 public:
  explicit PeakPredictor(std::size_t blocks) : blocks_(blocks) {}
  // Learns from a measured iteration; returns the relative errors (measured - predicted) /
  // measured of the blocks predicted before learning (empty while some block had no fit).
  std::vector<double> observe(const MemoryObservation& observation);
  bool ready() const;  // every block has a prediction
  // Accepted as the authors do: every block's last prediction within 10% or 10 MB of what
  // was then measured, on at least three input sizes.
  bool accepted() const;
  std::optional<std::vector<double>> blocks_at(double x) const;
  // The predicted peak above the base of `plan` at input size x; nullopt before ready().
  std::optional<double> peak_at(const Plan& plan, double x) const;
  std::size_t blocks() const noexcept { return blocks_.size(); }

 private:
  std::vector<QuadraticFit> blocks_;
  std::vector<bool> last_within_;
  QuadraticFit output_, transient_;
};

}  // namespace tessera::mimose
