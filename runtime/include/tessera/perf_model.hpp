#pragma once
// The performance-model slot of a codelet: predictions of a task's duration per
// architecture, keyed by the task's footprint. Concrete models (history, regression,
// persistence) implement this interface.

#include <cstdint>
#include <optional>
#include <span>

#include "tessera/arch.hpp"
#include "tessera/args.hpp"
#include "tessera/data.hpp"

namespace tessera {

// The size key of a task for performance models: `key` identifies tasks of the same shape
// (history models), `size` is the magnitude that regression models fit against.
struct Footprint {
  std::uint64_t key = 0;
  double size = 0.0;
  friend constexpr bool operator==(const Footprint&, const Footprint&) = default;
};

// What a footprint or flop-count function may look at: the shapes of the task's data, in
// access order, and its arguments.
struct TaskShape {
  std::span<const DataLayout> layouts;
  const ArgPack* args = nullptr;
};

// Default footprint: key hashes every layout's kind, element size, rows and cols; size is
// the total number of bytes accessed.
Footprint default_footprint(const TaskShape& shape);

class PerfModel {
 public:
  virtual ~PerfModel() = default;
  // Expected duration in microseconds on `arch`, or nullopt while uncalibrated.
  virtual std::optional<double> expected_us(Arch arch, const Footprint& footprint) const = 0;
  // Feeds one measured duration. Called concurrently from worker threads.
  virtual void record(Arch arch, const Footprint& footprint, double measured_us) = 0;
  // Persists what was learnt, if the model is persistent (called at runtime shutdown).
  virtual void flush() {}
};

}  // namespace tessera
