#include "tessera/perf_models.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <string>

#include <unistd.h>

#include "json_reader.hpp"

namespace tessera {
namespace {

constexpr std::string_view kFormat = "tessera-perfmodel/1";

// Weighted least squares of log y = log a + b log x. Returns (a, b, residual in y).
std::optional<PowerLaw> log_fit(const std::vector<double>& x, const std::vector<double>& y,
                                const std::vector<double>& w, double c) {
  double sw = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i] <= 0 || y[i] - c <= 0) return std::nullopt;
    const double lx = std::log(x[i]), ly = std::log(y[i] - c);
    sw += w[i];
    sx += w[i] * lx;
    sy += w[i] * ly;
    sxx += w[i] * lx * lx;
    sxy += w[i] * lx * ly;
  }
  // Zero when every sample has one size (the slope is then undefined); compared with the
  // terms' own scale, since with many samples rounding leaves a small remainder.
  const double denominator = sw * sxx - sx * sx;
  if (sw <= 0 || !(denominator > 1e-9 * sw * sxx + 1e-12)) return std::nullopt;
  const double b = (sw * sxy - sx * sy) / denominator;
  const double a = std::exp((sy - b * sx) / sw);
  return PowerLaw{a, b, c};
}

double squared_error(const PowerLaw& f, const std::vector<double>& x, const std::vector<double>& y,
                     const std::vector<double>& w) {
  double e = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double r = (f(x[i]) - y[i]) / y[i];  // relative: small and large sizes count alike
    e += w[i] * r * r;
  }
  return e;
}

std::string arch_key(Arch a) {
  return std::string(to_string(a));
}

}  // namespace

double PowerLaw::operator()(double size) const {
  return a * std::pow(size, b) + c;
}

double HistoryEntry::stddev_us() const {
  return count > 1 ? std::sqrt(m2 / static_cast<double>(count)) : 0.0;
}

std::optional<PowerLaw> fit_power_law(const std::vector<double>& x, const std::vector<double>& y,
                                      const std::vector<double>& w, bool with_constant) {
  if (!with_constant) return log_fit(x, y, w, 0.0);
  // The constant c is found by golden-section search on the relative error; for each c,
  // a and b come from the log-log fit of y - c.
  const double y_min = *std::min_element(y.begin(), y.end());
  double lo = 0.0, hi = y_min * 0.999;
  auto error = [&](double c) {
    auto f = log_fit(x, y, w, c);
    return f ? squared_error(*f, x, y, w) : std::numeric_limits<double>::infinity();
  };
  const double phi = (std::sqrt(5.0) - 1) / 2;
  double c1 = hi - phi * (hi - lo), c2 = lo + phi * (hi - lo);
  double e1 = error(c1), e2 = error(c2);
  for (int it = 0; it < 100 && hi - lo > 1e-9 * (1 + y_min); ++it) {
    if (e1 < e2) {
      hi = c2;
      c2 = c1;
      e2 = e1;
      c1 = hi - phi * (hi - lo);
      e1 = error(c1);
    } else {
      lo = c1;
      c1 = c2;
      e1 = e2;
      c2 = lo + phi * (hi - lo);
      e2 = error(c2);
    }
  }
  const double c = e1 < e2 ? c1 : c2;
  // Keep the plain power law when the constant does not help.
  auto with = log_fit(x, y, w, c);
  auto without = log_fit(x, y, w, 0.0);
  if (with && without && squared_error(*without, x, y, w) <= squared_error(*with, x, y, w))
    return without;
  return with;
}

HistoryModel::HistoryModel(std::string name, Options options)
    : name_(std::move(name)), options_(std::move(options)) {
  if (!options_.path.empty() && options_.calibration != CalibrationMode::reset &&
      std::filesystem::exists(options_.path)) {
    load_json(detail::read_text_file(options_.path), options_.path);
  }
}

std::string HistoryModel::directory() {
  if (const char* dir = std::getenv("TESSERA_PERFMODEL_DIR"); dir != nullptr && *dir != '\0')
    return dir;
  const char* home = std::getenv("HOME");
  return std::string(home != nullptr && *home != '\0' ? home : ".") + "/.cache/tessera/perfmodels";
}

std::shared_ptr<HistoryModel> HistoryModel::persistent(const std::string& name) {
  Options options;
  if (const char* mode = std::getenv("TESSERA_CALIBRATE"); mode != nullptr && *mode != '\0') {
    const std::string m = mode;
    if (m == "0") {
      options.calibration = CalibrationMode::when_needed;
    } else if (m == "1") {
      options.calibration = CalibrationMode::always;
    } else if (m == "2") {
      options.calibration = CalibrationMode::reset;
    } else {
      throw InvalidArgument("TESSERA_CALIBRATE='" + m + "' is not 0, 1 or 2");
    }
  }
  std::string file = name;
  for (char& ch : file) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-' && ch != '_' && ch != '.')
      ch = '_';
  }
  options.path = directory() + "/" + file + ".json";
  return std::make_shared<HistoryModel>(name, options);
}

std::optional<double> HistoryModel::expected_us(Arch arch, const Footprint& footprint) const {
  std::lock_guard lock(mutex_);
  auto h = history_.find(arch);
  if (h == history_.end()) return std::nullopt;
  auto e = h->second.find(footprint.key);
  if (e != h->second.end() && e->second.count >= options_.min_samples) return e->second.mean_us;
  if (footprint.size <= 0) return std::nullopt;
  auto f = fit(h->second, true);
  if (!f) f = fit(h->second, false);
  if (!f) return std::nullopt;
  return std::max(0.0, (*f)(footprint.size));
}

void HistoryModel::record(Arch arch, const Footprint& footprint, double measured_us) {
  std::lock_guard lock(mutex_);
  HistoryEntry& e = history_[arch][footprint.key];
  if (options_.calibration == CalibrationMode::when_needed && e.count >= options_.min_samples)
    return;
  e.key = footprint.key;
  e.size = footprint.size;
  ++e.count;
  const double delta = measured_us - e.mean_us;
  e.mean_us += delta / static_cast<double>(e.count);
  e.m2 += delta * (measured_us - e.mean_us);
  dirty_ = true;
}

void HistoryModel::flush() {
  std::lock_guard lock(mutex_);
  if (!dirty_ || options_.path.empty()) return;
  std::filesystem::create_directories(std::filesystem::path(options_.path).parent_path());
  // A temporary name of this process's own: several processes (MPI ranks on one node) may
  // save the same model at once; the last rename wins and readers never see half a file.
  const std::string temporary = options_.path + "." + std::to_string(::getpid()) + ".tmp";
  std::ofstream out(temporary);
  out << to_json_locked();
  out.close();
  std::filesystem::rename(temporary, options_.path);
  dirty_ = false;
  // Calibrations persist between runs, which surprises whoever benchmarks twice: say where,
  // once per process.
  static std::once_flag announced;
  std::call_once(announced, [&] {
    std::fprintf(stderr,
                 "tessera: performance models saved in %s (TESSERA_PERFMODEL_DIR=DIR uses "
                 "another directory, TESSERA_CALIBRATE=2 starts them afresh)\n",
                 std::filesystem::path(options_.path).parent_path().c_str());
  });
}

std::vector<HistoryEntry> HistoryModel::history(Arch arch) const {
  std::lock_guard lock(mutex_);
  std::vector<HistoryEntry> out;
  auto h = history_.find(arch);
  if (h != history_.end()) {
    for (const auto& [key, e] : h->second) out.push_back(e);
  }
  return out;
}

std::optional<PowerLaw> HistoryModel::fit(const History& h, bool with_constant) const {
  // One point per distinct size (entries of equal size merge, weighted by their counts).
  std::map<double, std::pair<double, double>> by_size;  // size -> (sum of means x count, count)
  for (const auto& [key, e] : h) {
    if (e.count == 0 || e.size <= 0) continue;
    by_size[e.size].first += e.mean_us * static_cast<double>(e.count);
    by_size[e.size].second += static_cast<double>(e.count);
  }
  if (by_size.size() < (with_constant ? 3u : 2u)) return std::nullopt;
  std::vector<double> x, y, w;
  for (const auto& [size, acc] : by_size) {
    x.push_back(size);
    y.push_back(acc.first / acc.second);
    w.push_back(acc.second);
  }
  return fit_power_law(x, y, w, with_constant);
}

std::optional<PowerLaw> HistoryModel::power_law(Arch arch) const {
  std::lock_guard lock(mutex_);
  auto h = history_.find(arch);
  return h == history_.end() ? std::nullopt : fit(h->second, false);
}

std::optional<PowerLaw> HistoryModel::power_law_with_constant(Arch arch) const {
  std::lock_guard lock(mutex_);
  auto h = history_.find(arch);
  return h == history_.end() ? std::nullopt : fit(h->second, true);
}

std::string HistoryModel::to_json() const {
  std::lock_guard lock(mutex_);
  return to_json_locked();
}

std::string HistoryModel::to_json_locked() const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["name"] = name_;
  j["archs"] = nlohmann::ordered_json::object();
  for (const auto& [arch, h] : history_) {
    nlohmann::ordered_json entries = nlohmann::ordered_json::array();
    for (const auto& [key, e] : h) {
      entries.push_back({{"key", key},
                         {"size", e.size},
                         {"count", e.count},
                         {"mean_us", e.mean_us},
                         {"m2", e.m2}});
    }
    j["archs"][arch_key(arch)] = {{"history", entries}};
  }
  return j.dump(1) + "\n";
}

void HistoryModel::load_json(const std::string& text, const std::string& source) {
  const nlohmann::json doc = detail::parse_json_text(text, source);
  const detail::JsonPath root(source, doc);
  const std::string format = root.at("format").string();
  if (format != kFormat) root.at("format").fail("unsupported format '" + format + "'");
  std::map<Arch, History> loaded;
  const detail::JsonPath archs = root.at("archs");
  for (const auto& [name, value] : archs.object().items()) {
    const auto arch = parse_arch(name);
    if (!arch) archs.at(name).fail("unknown architecture '" + name + "'");
    const detail::JsonPath list = archs.at(name).at("history");
    for (std::size_t i = 0; i < list.array().size(); ++i) {
      const detail::JsonPath e = list.at(i);
      HistoryEntry entry;
      entry.key = e.at("key").count();
      entry.size = e.at("size").non_negative();
      entry.count = e.at("count").count();
      entry.mean_us = e.at("mean_us").non_negative();
      entry.m2 = e.at("m2").non_negative();
      loaded[*arch][entry.key] = entry;
    }
  }
  std::lock_guard lock(mutex_);
  history_ = std::move(loaded);
}

void HistoryModel::save(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw InvalidArgument("cannot write performance model '" + path + "'");
  out << to_json();
}

}  // namespace tessera
