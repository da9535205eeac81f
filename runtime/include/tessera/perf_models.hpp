#pragma once
// HistoryModel: Tessera's performance model, after StarPU's. Per architecture it keeps
//   - a history: for each footprint key, the mean, standard deviation and count of the
//     measured durations (Welford's running statistics);
//   - regressions fitted from that history: a * size^b, and a * size^b + c;
// and predicts from the history when the footprint has at least `min_samples` measurements,
// else from the regression (a * size^b + c when at least three sizes are known, a * size^b
// with two), else not at all.
//
// A persistent model lives in $TESSERA_PERFMODEL_DIR/<name>.json (default
// ~/.cache/tessera/perfmodels), loaded when created and written back at runtime shutdown.
// TESSERA_CALIBRATE selects what is learnt, as StarPU's STARPU_CALIBRATE does:
//   unset or 0: measurements are added only to footprints still calibrating (< min_samples);
//   1: every measurement is added;  2: the saved history is discarded and relearnt.
//
//   auto model = tessera::HistoryModel::persistent("gemm");
//   gemm_codelet.model(model);

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tessera/perf_model.hpp"

namespace tessera {

// y = a * size^b + c (c = 0 for the plain power law).
struct PowerLaw {
  double a = 0.0;
  double b = 0.0;
  double c = 0.0;
  double operator()(double size) const;
};

enum class CalibrationMode { when_needed = 0, always = 1, reset = 2 };

struct HistoryEntry {
  std::uint64_t key = 0;
  double size = 0.0;
  std::uint64_t count = 0;
  double mean_us = 0.0;
  double m2 = 0.0;  // sum of squared deviations (Welford)
  double stddev_us() const;
};

class HistoryModel final : public PerfModel {
 public:
  struct Options {
    std::uint64_t min_samples = 10;
    CalibrationMode calibration = CalibrationMode::when_needed;
    std::string path;  // empty: not persistent
  };

  explicit HistoryModel(std::string name) : HistoryModel(std::move(name), Options{}) {}
  HistoryModel(std::string name, Options options);

  // A model persisted in the model directory, with TESSERA_CALIBRATE applied. Throws
  // InvalidArgument if the saved file is malformed (naming it) or the variable is.
  static std::shared_ptr<HistoryModel> persistent(const std::string& name);
  // $TESSERA_PERFMODEL_DIR, or ~/.cache/tessera/perfmodels.
  static std::string directory();

  std::optional<double> expected_us(Arch arch, const Footprint& footprint) const override;
  void record(Arch arch, const Footprint& footprint, double measured_us) override;
  void flush() override;

  const std::string& name() const { return name_; }
  std::vector<HistoryEntry> history(Arch arch) const;
  // Least-squares fits over the history of `arch` (weighted by sample counts); nullopt with
  // fewer than two (power law) or three (with constant) distinct sizes.
  std::optional<PowerLaw> power_law(Arch arch) const;
  std::optional<PowerLaw> power_law_with_constant(Arch arch) const;

  std::string to_json() const;
  // Replaces the history with the one in `json_text`; errors name `source`.
  void load_json(const std::string& json_text, const std::string& source);
  void save(const std::string& path) const;

 private:
  using History = std::map<std::uint64_t, HistoryEntry>;
  std::optional<PowerLaw> fit(const History& h, bool with_constant) const;
  std::string to_json_locked() const;

  std::string name_;
  Options options_;
  mutable std::mutex mutex_;
  std::map<Arch, History> history_;
  bool dirty_ = false;
};

// Fits y = a * x^b (+ c) to weighted points; exposed for tests.
std::optional<PowerLaw> fit_power_law(const std::vector<double>& x, const std::vector<double>& y,
                                      const std::vector<double>& weight, bool with_constant);

}  // namespace tessera
