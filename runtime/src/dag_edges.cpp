// Dag::predecessors: the sequential-task-flow rules of the engine, applied to a Dag without
// running it (for lower bounds, HEFT-style ranks and tests).

#include <algorithm>

#include "tessera/dag.hpp"

namespace tessera {

std::vector<std::vector<std::size_t>> Dag::predecessors() const {
  struct State {
    std::vector<std::size_t> writers, readers, commuters, commute_preds;
  };
  std::vector<State> states(data.size());
  std::vector<std::vector<std::size_t>> preds(tasks.size());
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    std::vector<std::size_t>& out = preds[i];
    out = tasks[i].after;
    // The union of the task's modes per handle, as the engine merges them.
    std::vector<std::pair<std::size_t, Access>> distinct;
    for (const DagAccess& a : tasks[i].access) {
      auto it = std::find_if(distinct.begin(), distinct.end(),
                             [&](const auto& d) { return d.first == a.data; });
      if (it == distinct.end()) {
        distinct.emplace_back(a.data, a.mode);
      } else if (is_scratch(it->second) != is_scratch(a.mode)) {
        if (is_scratch(it->second)) it->second = a.mode;
      } else {
        it->second = it->second | a.mode;
      }
    }
    for (const auto& [d, mode] : distinct) {
      State& s = states[d];
      auto append = [&out](const std::vector<std::size_t>& v) {
        out.insert(out.end(), v.begin(), v.end());
      };
      if (is_scratch(mode)) continue;
      if (is_commute(mode)) {
        if (s.commuters.empty()) {
          s.commute_preds = s.readers.empty() ? s.writers : s.readers;
          s.writers.clear();
          s.readers.clear();
        }
        append(s.commute_preds);
        s.commuters.push_back(i);
      } else if (writes(mode)) {
        append(!s.commuters.empty() ? s.commuters : (!s.readers.empty() ? s.readers : s.writers));
        s = State{};
        s.writers = {i};
      } else {
        if (!s.commuters.empty()) {
          s.writers = std::move(s.commuters);
          s.commuters.clear();
          s.commute_preds.clear();
          s.readers.clear();
        }
        append(s.writers);
        s.readers.push_back(i);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    out.erase(std::remove(out.begin(), out.end(), i), out.end());
  }
  return preds;
}

}  // namespace tessera
