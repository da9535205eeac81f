#pragma once
// The task-graph shapes of the overhead benchmark, shared by Tessera and its peers so that
// every runtime executes exactly the same graphs of empty tasks.

#include <cstddef>
#include <string>
#include <vector>

namespace tessera::bench {

struct Shape {
  std::string name;
  std::string description;
  int accesses = 0;  // RW accesses per task
  int handles = 0;   // distinct data handles they cycle through
  // The handle of access `k` of task `i`.
  int handle(std::size_t i, int k) const {
    return static_cast<int>((i + static_cast<std::size_t>(k) * 5) %
                            static_cast<std::size_t>(handles));
  }
};

inline std::vector<Shape> all_shapes() {
  return {
      {"independent", "no data, no dependency", 0, 0},
      {"chain", "1 RW on one handle: a single chain", 1, 1},
      {"rw1", "1 RW on one of 16 handles: 16 chains", 1, 16},
      {"rw3", "3 RW on 3 of 16 handles: chains that join", 3, 16},
  };
}

// For runtimes without dependency inference (TBB flow graph): the predecessors of each
// task under the sequential-task-flow rule (RW accesses only: the last task per handle).
inline std::vector<std::vector<std::size_t>> explicit_predecessors(const Shape& shape,
                                                                   std::size_t tasks) {
  std::vector<std::vector<std::size_t>> preds(tasks);
  std::vector<long> last(static_cast<std::size_t>(shape.handles), -1);
  for (std::size_t i = 0; i < tasks; ++i) {
    for (int k = 0; k < shape.accesses; ++k) {
      long& l = last[static_cast<std::size_t>(shape.handle(i, k))];
      if (l >= 0) preds[i].push_back(static_cast<std::size_t>(l));
      l = static_cast<long>(i);
    }
  }
  return preds;
}

}  // namespace tessera::bench
