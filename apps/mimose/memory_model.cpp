#include "mimose/memory_model.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace tessera::mimose {

void QuadraticFit::add(double x, double y) {
  samples_[x] = y;
  refit();
}

void QuadraticFit::add_max(double x, double y) {
  auto [it, inserted] = samples_.try_emplace(x, y);
  if (!inserted) it->second = std::max(it->second, y);
  refit();
}

void QuadraticFit::refit() {
  const std::size_t n = samples_.size();
  c0_ = c1_ = c2_ = 0;
  if (n == 0) return;
  // Sizes are scaled to about 1 so that the normal equations stay well conditioned.
  constexpr double kScale = 1e-2;
  if (n == 1) {
    c0_ = samples_.begin()->second;
    return;
  }
  const int terms = n == 2 ? 2 : 3;
  double a[3][4] = {};
  for (const auto& [x, y] : samples_) {
    const double u = x * kScale;
    const double basis[3] = {1, u, u * u};
    for (int r = 0; r < terms; ++r) {
      for (int c = 0; c < terms; ++c) a[r][c] += basis[r] * basis[c];
      a[r][3] += basis[r] * y;
    }
  }
  // Gaussian elimination with partial pivoting on the small system.
  for (int col = 0; col < terms; ++col) {
    int pivot = col;
    for (int r = col + 1; r < terms; ++r)
      if (std::abs(a[r][col]) > std::abs(a[pivot][col])) pivot = r;
    std::swap(a[col], a[pivot]);
    if (std::abs(a[col][col]) < 1e-300) return;
    for (int r = 0; r < terms; ++r) {
      if (r == col) continue;
      const double f = a[r][col] / a[col][col];
      for (int c = col; c < 4; ++c) a[r][c] -= f * a[col][c];
    }
  }
  double coef[3] = {};
  for (int r = 0; r < terms; ++r) coef[r] = a[r][3] / a[r][r];
  c0_ = coef[0];
  c1_ = coef[1] * kScale;
  c2_ = coef[2] * kScale * kScale;
}

std::optional<double> QuadraticFit::predict(double x) const {
  if (samples_.empty()) return std::nullopt;
  return c0_ + c1_ * x + c2_ * x * x;
}

Plan Plan::none(std::size_t blocks) {
  Plan p;
  p.checkpoint.assign(blocks, false);
  p.group.assign(blocks, -1);
  return p;
}

Plan Plan::all(std::size_t blocks) {
  Plan p = none(blocks);
  for (std::size_t i = 0; i < blocks; ++i) {
    p.checkpoint[i] = true;
    p.group[i] = static_cast<int>(i);
  }
  return p;
}

Plan Plan::of(std::size_t blocks, const std::vector<std::size_t>& checkpointed) {
  Plan p = none(blocks);
  for (std::size_t i : checkpointed) {
    p.checkpoint.at(i) = true;
    p.group.at(i) = static_cast<int>(i);
  }
  return p;
}

std::size_t Plan::checkpointed() const {
  return static_cast<std::size_t>(std::count(checkpoint.begin(), checkpoint.end(), true));
}

std::string Plan::text() const {
  std::string s;
  for (bool c : checkpoint) s += c ? 'c' : '.';
  return s;
}

bool Plan::group_ends_at(std::size_t i) const {
  if (!checkpoint.at(i)) return false;
  return i + 1 == checkpoint.size() || group[i + 1] != group[i];
}

double structural_peak(const Plan& plan, const std::vector<double>& block_bytes,
                       double output_bytes) {
  const std::size_t n = block_bytes.size();
  double best = 0;
  for (std::size_t j = 0; j < n; ++j) {
    double live = block_bytes[j];
    for (std::size_t i = 0; i < j; ++i) {
      const bool recomputed_with_j =
          plan.checkpoint[i] && plan.checkpoint[j] && plan.group[i] == plan.group[j];
      live += !plan.checkpoint[i] || recomputed_with_j ? block_bytes[i] : output_bytes;
    }
    best = std::max(best, live);
  }
  return best;
}

std::vector<double> PeakPredictor::observe(const MemoryObservation& o) {
  const auto x = static_cast<double>(o.input_size);
  std::vector<double> errors;
  if (last_within_.size() != blocks_.size()) last_within_.assign(blocks_.size(), false);
  const bool had_all = ready();
  for (std::size_t i = 0; i < blocks_.size() && i < o.block_bytes.size(); ++i) {
    const double measured = o.block_bytes[i];
    if (auto p = blocks_[i].predict(x)) {
      const double error = measured > 0 ? (measured - *p) / measured : 0;
      if (had_all) errors.push_back(error);
      last_within_[i] = std::abs(measured - *p) <= std::max(0.10 * measured, 10.0 * 1024 * 1024);
    }
    blocks_[i].add(x, measured);
  }
  output_.add(x, o.output_bytes);
  const double structure = structural_peak(o.plan, o.block_bytes, o.output_bytes);
  transient_.add_max(x, std::max(0.0, o.peak_bytes - o.base_bytes - structure));
  return errors;
}

bool PeakPredictor::ready() const {
  return std::all_of(blocks_.begin(), blocks_.end(),
                     [](const QuadraticFit& f) { return f.sizes() > 0; });
}

bool PeakPredictor::accepted() const {
  if (last_within_.size() != blocks_.size()) return false;
  for (std::size_t i = 0; i < blocks_.size(); ++i)
    if (blocks_[i].sizes() < 3 || !last_within_[i]) return false;
  return true;
}

std::optional<std::vector<double>> PeakPredictor::blocks_at(double x) const {
  if (!ready()) return std::nullopt;
  std::vector<double> bytes;
  for (const auto& f : blocks_) bytes.push_back(std::max(0.0, *f.predict(x)));
  return bytes;
}

std::optional<double> PeakPredictor::peak_at(const Plan& plan, double x) const {
  auto bytes = blocks_at(x);
  if (!bytes) return std::nullopt;
  const double output = std::max(0.0, output_.predict(x).value_or(0));
  return structural_peak(plan, *bytes, output) + std::max(0.0, transient_.predict(x).value_or(0));
}

}  // namespace tessera::mimose
