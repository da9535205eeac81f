#pragma once
// INSPIRIT's run-time phase: is parallelism scarce or plentiful? It watches the number of
// ready tasks (queued, not yet started) and its trend:
//   ready <= low                       -> scarce
//   ready >= high                      -> plentiful
//   in between: rising faster than `rise` tasks per observation (smoothed) -> plentiful,
//               else (flat, falling, rising slowly)                        -> scarce
// While scarce, workers take the tasks that enable others soonest (efficiency); while
// plentiful, those that enable the most in the end (ability).
// The thresholds come from the machine (see InspiritPolicy); the class is pure logic so
// the StarPU plug-in and the tests use it too.

#include <cstdint>

namespace tessera::inspirit {

enum class Phase : std::uint8_t { scarce, plentiful };

class PhaseController {
 public:
  struct Thresholds {
    double low = 1;
    double high = 2;
    double rise = 0.0;        // smoothed change per observation above which "rising"
    double smoothing = 0.05;  // weight of the newest change in the moving average
  };

  explicit PhaseController(Thresholds t) : t_(t) {}

  Phase observe(double ready) {
    if (has_last_) trend_ = (1.0 - t_.smoothing) * trend_ + t_.smoothing * (ready - last_);
    last_ = ready;
    has_last_ = true;
    if (ready <= t_.low) {
      phase_ = Phase::scarce;
    } else if (ready >= t_.high) {
      phase_ = Phase::plentiful;
    } else {
      phase_ = trend_ > t_.rise ? Phase::plentiful : Phase::scarce;
    }
    return phase_;
  }
  Phase phase() const { return phase_; }
  // New thresholds, keeping the trend and the phase.
  void retune(Thresholds t) { t_ = t; }
  double trend() const { return trend_; }
  const Thresholds& thresholds() const { return t_; }

 private:
  Thresholds t_;
  Phase phase_ = Phase::scarce;
  double trend_ = 0.0;
  double last_ = 0.0;
  bool has_last_ = false;
};

}  // namespace tessera::inspirit
