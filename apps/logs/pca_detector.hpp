#pragma once
// PCA over event-count vectors (Xu et al., SOSP 2009), as the loglizer toolkit runs it:
// counts weighted by TF-IDF and centred on the training windows, the principal subspace
// that holds `variance` of their variance, and a window flagged when its squared
// prediction error (its distance from that subspace) exceeds the Q-statistic threshold
// of Jackson and Mudholkar at confidence c_alpha (3.2905: alpha = 0.001).

#include <cstddef>
#include <vector>

#include "logs/windows.hpp"

namespace tessera::logs {

struct PcaOptions {
  double variance = 0.95;
  double c_alpha = 3.2905;
};

class PcaDetector {
 public:
  explicit PcaDetector(PcaOptions options = {});
  // Fits on the windows' event counts (no labels: PCA is unsupervised). Throws
  // InvalidArgument when there are fewer than two windows.
  void fit(const EventLog& log, const std::vector<Window>& windows);
  // Squared prediction error per window.
  std::vector<double> spe(const EventLog& log, const std::vector<Window>& windows) const;
  double threshold() const noexcept { return threshold_; }
  std::size_t components() const noexcept { return components_; }

 private:
  std::vector<double> features(const EventLog& log, const Window& w) const;
  PcaOptions options_;
  std::size_t events_ = 0, components_ = 0;
  std::vector<double> idf_, mean_;
  std::vector<double> basis_;  // events_ x components_, column-major
  double threshold_ = 0;
};

}  // namespace tessera::logs
