#include "sim_costs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// A standard normal draw that depends only on (seed, task, class).
double normal_draw(std::uint64_t seed, std::size_t task, int cls) {
  const std::uint64_t a =
      mix(seed ^ mix(task * 1315423911ull + static_cast<std::uint64_t>(cls) + 1));
  const std::uint64_t b = mix(a);
  const double u1 = (static_cast<double>(a >> 11) + 1.0) / 9007199254740993.0;  // (0, 1]
  const double u2 = static_cast<double>(b >> 11) / 9007199254740992.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
}

}  // namespace

SimCosts::SimCosts(const Dag& dag, const Platform& platform, const SimOptions& options)
    : tasks_(dag.tasks.size()) {
  for (const WorkerGroup& g : platform.workers) {
    auto it = std::find_if(classes_.begin(), classes_.end(),
                           [&](const WorkerClass& c) { return c.kind == g.kind; });
    if (it == classes_.end()) {
      classes_.push_back({g.kind, g.arch, 0});
      it = std::prev(classes_.end());
    } else if (it->arch != g.arch) {
      throw InvalidArgument("platform '" + platform.name + "': worker kind '" + g.kind +
                            "' is used for two architectures");
    }
    it->count += g.count;
    for (int i = 0; i < g.count; ++i)
      worker_class_.push_back(static_cast<int>(it - classes_.begin()));
  }

  mean_.assign(tasks_ * classes_.size(), -1.0);
  actual_.assign(tasks_ * classes_.size(), -1.0);
  for (std::size_t t = 0; t < tasks_; ++t) {
    const DagTask& task = dag.tasks[t];
    double bytes = 0;
    for (const DagAccess& a : task.access) {
      if (!is_scratch(a.mode)) bytes += static_cast<double>(dag.data[a.data].bytes);
    }
    bool runnable = false;
    for (std::size_t c = 0; c < classes_.size(); ++c) {
      const WorkerClass& cls = classes_[c];
      const std::string arch(to_string(cls.arch));
      double mean = -1, sd = 0;
      if (!task.cost_us.empty()) {
        for (const std::string& key : {cls.kind, arch, std::string("*")}) {
          auto it = task.cost_us.find(key);
          if (it != task.cost_us.end()) {
            mean = it->second;
            sd = options.default_noise * mean;
            break;
          }
        }
      } else {
        auto sample = platform.cost_at(task.type, cls.kind, bytes);
        if (!sample && cls.kind != arch) sample = platform.cost_at(task.type, arch, bytes);
        if (sample) {
          mean = sample->mean_us;
          sd = sample->stddev_us > 0 ? sample->stddev_us : options.default_noise * mean;
        }
      }
      if (mean < 0) continue;
      runnable = true;
      mean_[index(t, static_cast<int>(c))] = mean;
      double actual = mean;
      if (options.noise && mean > 0) {
        actual = mean + sd * normal_draw(options.seed, t, static_cast<int>(c));
        actual = std::clamp(actual, 0.05 * mean, mean + 4 * sd);
      }
      actual_[index(t, static_cast<int>(c))] = actual;
    }
    if (!runnable) {
      std::string kinds;
      for (const WorkerClass& cls : classes_) kinds += (kinds.empty() ? "" : ", ") + cls.kind;
      throw InvalidArgument(
          "DAG '" + dag.name + "': task '" + task.id + "' (type '" + task.type +
          "'): no worker of platform '" + platform.name + "' can run it (no cost for " + kinds +
          (task.cost_us.empty() ? " in the platform's task_costs" : " in its cost_us") + ")");
    }
  }
}

double SimCosts::fastest_us(std::size_t task) const {
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    if (runs(task, static_cast<int>(c)))
      best = std::min(best, actual_us(task, static_cast<int>(c)));
  }
  return best;
}

}  // namespace tessera::detail
