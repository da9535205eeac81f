#include "dags/random_dag.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <string>

#include <tessera/error.hpp>
#include <tessera/memory_budget.hpp>

namespace tessera::dags {
namespace {

void check(bool ok, const std::string& what) {
  if (!ok) throw InvalidArgument("random DAG: " + what);
}

}  // namespace

Dag random_dag(const RandomDagOptions& o) {
  check(o.n >= 1, "n must be at least 1");
  check(o.fat > 0 && o.fat <= 1, "fat must be in (0, 1]");
  check(o.density > 0 && o.density <= 1, "density must be in (0, 1]");
  check(o.regularity >= 0 && o.regularity <= 1, "regularity must be in [0, 1]");
  check(o.jump >= 1, "jump must be at least 1");
  check(o.ccr >= 0 && o.ccr <= 1e6, "ccr must be in [0, 1e6]");
  // The bound the DAG readers put on a task's cost (1e15 us, about 31 years).
  check(o.min_cost_us > 0 && o.max_cost_us >= o.min_cost_us && o.max_cost_us <= 1e15,
        "costs must satisfy 0 < min <= max <= 1e15");
  check(o.min_speedup > 0 && o.max_speedup >= o.min_speedup && o.max_speedup <= 1e15,
        "speedups must satisfy 0 < min <= max <= 1e15");
  check(o.gpu_share >= 0 && o.gpu_share <= 1, "gpu_share must be in [0, 1]");

  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double n = o.n;
  const double mean_width = std::exp(o.fat * std::log(n));
  // Each task draws its parents among up to `jump` levels above it: check what that costs
  // before drawing (a task and its data take about a kilobyte, an edge 16 bytes).
  const double levels_above = std::min(static_cast<double>(o.jump), n / mean_width + 1);
  const double candidates = n * levels_above * mean_width;
  check(candidates <= 2e9, "n=" + std::to_string(o.n) + " with jump=" + std::to_string(o.jump) +
                               " draws about " + std::to_string(static_cast<long long>(candidates)) +
                               " candidate edges, more than 2e9: lower n, jump or fat");
  require_memory(n * 1024.0 + candidates * o.density * 16.0,
                 "random DAG n=" + std::to_string(o.n));
  std::vector<std::vector<std::size_t>> levels;
  std::size_t placed = 0;
  while (placed < static_cast<std::size_t>(o.n)) {
    const double spread = mean_width * (1.0 - o.regularity);
    const double width = mean_width - spread + 2 * spread * unit(rng);
    const std::size_t count =
        std::min<std::size_t>(static_cast<std::size_t>(o.n) - placed, std::max<std::size_t>(1, std::lround(width)));
    levels.emplace_back();
    for (std::size_t i = 0; i < count; ++i) levels.back().push_back(placed++);
  }

  Dag dag;
  dag.name = "random:n=" + std::to_string(o.n) + ",seed=" + std::to_string(o.seed);
  dag.tasks.resize(static_cast<std::size_t>(o.n));
  dag.data.resize(static_cast<std::size_t>(o.n));
  constexpr double kBytesPerUs = 10000.0;  // 10 GB/s
  for (std::size_t l = 0; l < levels.size(); ++l) {
    for (std::size_t t : levels[l]) {
      DagTask& task = dag.tasks[t];
      task.id = "t" + std::to_string(t);
      task.type = "random";
      const double cpu = o.min_cost_us + (o.max_cost_us - o.min_cost_us) * unit(rng);
      task.cost_us["cpu"] = cpu;
      if (unit(rng) < o.gpu_share) {
        const double speedup = std::exp(std::log(o.min_speedup) + (std::log(o.max_speedup) - std::log(o.min_speedup)) * unit(rng));
        task.cost_us["cuda"] = cpu / speedup;
      }
      dag.data[t] = {"d" + std::to_string(t), static_cast<std::uint64_t>(o.ccr * cpu * kBytesPerUs)};
      if (l > 0) {
        std::vector<std::size_t> parents;
        for (std::size_t back = 1; back <= static_cast<std::size_t>(o.jump) && back <= l; ++back) {
          for (std::size_t p : levels[l - back]) {
            if (unit(rng) < o.density) parents.push_back(p);
          }
        }
        if (parents.empty()) {
          const auto& above = levels[l - 1];
          parents.push_back(above[static_cast<std::size_t>(unit(rng) * static_cast<double>(above.size())) % above.size()]);
        }
        std::sort(parents.begin(), parents.end());
        for (std::size_t p : parents) task.access.push_back({p, Access::R});
      }
      task.access.push_back({t, Access::W});
    }
  }
  return dag;
}

RandomDagOptions parse_random_options(std::string_view text) {
  RandomDagOptions o;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find(',', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    check(eq != std::string_view::npos, "option '" + std::string(item) + "' is not key=value");
    const std::string key(item.substr(0, eq));
    const std::string value(item.substr(eq + 1));
    double v = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    check(ec == std::errc() && p == value.data() + value.size() && std::isfinite(v),
          "option " + key + "='" + value + "' is not a finite number");
    const bool whole = v == std::floor(v);
    if (key == "n" || key == "jump") {
      check(whole && v >= 1 && v <= 2147483647.0,
            "option " + key + "='" + value + "' is not a whole number from 1 to 2147483647");
    }
    if (key == "seed") {
      check(whole && v >= 0 && v < 18446744073709551616.0,
            "option seed='" + value + "' is not a whole number from 0 to 2^64 - 1");
    }
    if (key == "n") o.n = static_cast<int>(v);
    else if (key == "fat") o.fat = v;
    else if (key == "density") o.density = v;
    else if (key == "regularity") o.regularity = v;
    else if (key == "jump") o.jump = static_cast<int>(v);
    else if (key == "ccr") o.ccr = v;
    else if (key == "seed") o.seed = static_cast<std::uint64_t>(v);
    else if (key == "min_cost_us") o.min_cost_us = v;
    else if (key == "max_cost_us") o.max_cost_us = v;
    else if (key == "min_speedup") o.min_speedup = v;
    else if (key == "max_speedup") o.max_speedup = v;
    else if (key == "gpu_share") o.gpu_share = v;
    else check(false, "unknown option '" + key + "' (known: n, fat, density, regularity, jump, ccr, seed, "
                      "min_cost_us, max_cost_us, min_speedup, max_speedup, gpu_share)");
  }
  return o;
}

}  // namespace tessera::dags
