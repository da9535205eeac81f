#include "logs/pca_detector.hpp"

#include <lapacke.h>

#include <algorithm>
#include <cmath>

#include <tessera/error.hpp>

namespace tessera::logs {

PcaDetector::PcaDetector(PcaOptions options) : options_(options) {
  if (!(options.variance > 0 && options.variance <= 1)) {
    throw InvalidArgument("pca: variance must be in (0, 1]");
  }
  if (!(options.c_alpha > 0) || !std::isfinite(options.c_alpha)) {
    throw InvalidArgument("pca: c_alpha must be positive");
  }
}

std::vector<double> PcaDetector::features(const EventLog& log, const Window& w) const {
  std::vector<double> x(events_, 0.0);
  for (std::size_t i = w.begin; i < w.end; ++i) {
    if (log.events[i] < events_) x[log.events[i]] += 1;
  }
  for (std::size_t j = 0; j < events_; ++j) x[j] = x[j] * idf_[j] - mean_[j];
  return x;
}

void PcaDetector::fit(const EventLog& log, const std::vector<Window>& windows) {
  if (windows.size() < 2) throw InvalidArgument("pca: needs at least two training windows");
  events_ = log.templates.size();
  const std::size_t n = windows.size(), m = events_;
  // TF-IDF weights from the training windows' document frequencies (loglizer's choice:
  // an event never seen in training gets the largest weight).
  std::vector<double> df(m, 0.0);
  for (const auto& w : windows) {
    std::vector<bool> seen(m, false);
    for (std::size_t i = w.begin; i < w.end; ++i) seen[log.events[i]] = true;
    for (std::size_t j = 0; j < m; ++j) df[j] += seen[j] ? 1 : 0;
  }
  idf_.assign(m, 0.0);
  for (std::size_t j = 0; j < m; ++j) idf_[j] = std::log(static_cast<double>(n) / (df[j] + 1e-8));
  mean_.assign(m, 0.0);
  std::vector<std::vector<double>> rows;
  for (const auto& w : windows) rows.push_back(features(log, w));  // weighted, not centred yet
  for (const auto& r : rows) {
    for (std::size_t j = 0; j < m; ++j) mean_[j] += r[j] / static_cast<double>(n);
  }
  // Covariance (row-major = column-major: it is symmetric).
  std::vector<double> cov(m * m, 0.0);
  for (auto& r : rows) {
    for (std::size_t j = 0; j < m; ++j) r[j] -= mean_[j];
    for (std::size_t a = 0; a < m; ++a) {
      if (r[a] == 0) continue;
      for (std::size_t b = 0; b < m; ++b) cov[a * m + b] += r[a] * r[b] / static_cast<double>(n);
    }
  }
  std::vector<double> eigen(m, 0.0);
  const int info = LAPACKE_dsyev(LAPACK_COL_MAJOR, 'V', 'U', static_cast<lapack_int>(m), cov.data(),
                                 static_cast<lapack_int>(m), eigen.data());
  if (info != 0)
    throw Error("pca: the eigendecomposition failed (LAPACK info " + std::to_string(info) + ")");
  // Eigenvalues ascend; the principal components are the last ones.
  double total = 0;
  for (double& e : eigen) total += e = std::max(e, 0.0);
  std::size_t k = 0;
  for (double kept = 0; k < m && (total == 0 || kept / total < options_.variance); ++k) {
    kept += eigen[m - 1 - k];
  }
  components_ = std::max<std::size_t>(k, 1);
  basis_.assign(m * components_, 0.0);
  for (std::size_t c = 0; c < components_; ++c) {
    std::copy_n(cov.begin() + static_cast<std::ptrdiff_t>((m - 1 - c) * m), m,
                basis_.begin() + static_cast<std::ptrdiff_t>(c * m));
  }
  // Q-statistic over the residual eigenvalues.
  double phi[3] = {0, 0, 0};
  for (std::size_t j = 0; j + components_ < m; ++j) {
    const double l = eigen[j];
    phi[0] += l;
    phi[1] += l * l;
    phi[2] += l * l * l;
  }
  if (phi[0] <= 0 || phi[1] <= 0) {
    threshold_ = 1e-12;  // the subspace explains everything: any residual is an anomaly
    return;
  }
  const double h0 = 1.0 - 2.0 * phi[0] * phi[2] / (3.0 * phi[1] * phi[1]);
  threshold_ = phi[0] * std::pow(options_.c_alpha * std::sqrt(2 * phi[1] * h0 * h0) / phi[0] + 1.0 +
                                     phi[1] * h0 * (h0 - 1.0) / (phi[0] * phi[0]),
                                 1.0 / h0);
  if (!std::isfinite(threshold_)) threshold_ = 1e-12;
}

std::vector<double> PcaDetector::spe(const EventLog& log,
                                     const std::vector<Window>& windows) const {
  if (basis_.empty()) throw InvalidArgument("pca: fit() before spe()");
  std::vector<double> out;
  const std::size_t m = events_;
  for (const auto& w : windows) {
    const auto x = features(log, w);
    std::vector<double> residual = x;
    for (std::size_t c = 0; c < components_; ++c) {
      const double* u = basis_.data() + c * m;
      double dot = 0;
      for (std::size_t j = 0; j < m; ++j) dot += u[j] * x[j];
      for (std::size_t j = 0; j < m; ++j) residual[j] -= dot * u[j];
    }
    double s = 0;
    for (double r : residual) s += r * r;
    out.push_back(s);
  }
  return out;
}

}  // namespace tessera::logs
