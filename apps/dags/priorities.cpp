#include "dags/priorities.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include <tessera/error.hpp>

namespace tessera::dags {

PriorityScheme parse_priority_scheme(std::string_view name) {
  if (name == "classic") return PriorityScheme::classic;
  if (name == "bottom-level") return PriorityScheme::bottom_level;
  if (name == "none") return PriorityScheme::none;
  throw InvalidArgument("unknown priority scheme '" + std::string(name) + "' (use classic, bottom-level or none)");
}

namespace {

// Duration of a task on the platform's fastest kind of worker for it: the critical path
// it lies on is then the one the lower bound uses.
double fastest_cost(const Dag& dag, std::size_t t, const Platform& platform) {
  const DagTask& task = dag.tasks[t];
  double bytes = 0;
  for (const DagAccess& a : task.access) bytes += static_cast<double>(dag.data[a.data].bytes);
  double best = -1;
  for (const WorkerGroup& g : platform.workers) {
    double cost = -1;
    if (!task.cost_us.empty()) {
      for (const std::string& key : {g.kind, std::string(to_string(g.arch)), std::string("*")}) {
        auto it = task.cost_us.find(key);
        if (it != task.cost_us.end()) {
          cost = it->second;
          break;
        }
      }
    } else if (auto sample = platform.cost_at(task.type, g.kind, bytes)) {
      cost = sample->mean_us;
    }
    if (cost >= 0 && (best < 0 || cost < best)) best = cost;
  }
  return std::max(best, 0.0);
}

}  // namespace

void apply_priorities(Dag& dag, const Platform& platform, PriorityScheme scheme) {
  if (scheme == PriorityScheme::classic) return;
  if (scheme == PriorityScheme::none) {
    for (DagTask& t : dag.tasks) t.priority = 0;
    return;
  }
  const auto preds = dag.predecessors();
  std::vector<double> level(dag.tasks.size(), 0.0);
  for (std::size_t i = dag.tasks.size(); i-- > 0;) {
    level[i] += fastest_cost(dag, i, platform);
    for (std::size_t p : preds[i]) level[p] = std::max(level[p], level[i]);
  }
  // level[p] accumulated the longest tail of its successors; its own cost was added when
  // the loop reached it, after all its successors (they come later in the list).
  for (std::size_t i = 0; i < dag.tasks.size(); ++i) {
    dag.tasks[i].priority = static_cast<int>(std::min(level[i], 2.0e9));
  }
}

}  // namespace tessera::dags
