// Cost of maintaining INSPIRIT's attributes (ability sketch, efficiency, bottom level) as
// tasks are submitted: tiled Cholesky on 64 x 64 tiles (45,760 tasks), weights from the
// sirocco platform's fastest costs, as the policy computes them.
//
//   build/bin/tessera-bench-inspirit-attributes [tiles] [repeat]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <dags/dag_spec.hpp>
#include <tessera/platform.hpp>

#include "inspirit/attributes.hpp"

int main(int argc, char** argv) {
  const int tiles = argc > 1 ? std::atoi(argv[1]) : 64;
  const int repeat = argc > 2 ? std::atoi(argv[2]) : 5;
  const tessera::Dag dag = tessera::dags::make_dag("cholesky:" + std::to_string(tiles));
  const tessera::Platform platform = tessera::Platform::builtin("sirocco");
  const auto preds = dag.predecessors();
  std::vector<double> weight;
  for (const tessera::DagTask& t : dag.tasks) {
    double bytes = 0;
    for (const auto& a : t.access) bytes += static_cast<double>(dag.data[a.data].bytes);
    double best = 1e300;
    for (const char* kind : {"cpu", "cuda"}) {
      if (auto c = platform.cost_at(t.type, kind, bytes)) best = std::min(best, c->mean_us);
    }
    weight.push_back(best);
  }
  std::vector<std::vector<tessera::inspirit::Attributes::Node>> p32(preds.size());
  for (std::size_t i = 0; i < preds.size(); ++i) p32[i].assign(preds[i].begin(), preds[i].end());

  // Bottom levels are settled when read: "read after each" is a run that pushes a task after
  // every submission, "read at the end" one that submits the whole graph first.
  for (const bool ability : {false, true}) {
    for (const bool read_each : {true, false}) {
      std::vector<double> per_task;
      for (int r = 0; r < repeat; ++r) {
        tessera::inspirit::Attributes::Options options;
        options.track_ability = ability;
        tessera::inspirit::Attributes attrs(options);
        double checksum = 0;
        const auto start = std::chrono::steady_clock::now();
        for (std::size_t i = 0; i < p32.size(); ++i) {
          const auto node = attrs.add(p32[i], weight[i]);
          if (read_each) checksum += attrs.bottom_level(node);
        }
        checksum += attrs.bottom_level(0);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        if (!(checksum > 0)) std::fprintf(stderr, "unexpected bottom levels\n");
        per_task.push_back(seconds / static_cast<double>(p32.size()) * 1e6);
      }
      std::sort(per_task.begin(), per_task.end());
      std::size_t edges = 0;
      for (const auto& v : preds) edges += v.size();
      std::printf(
          "INSPIRIT attributes on cholesky:%d (%zu tasks, %zu edges), %s, bottom levels read %s: "
          "%.3f us per task (median of %d; min %.3f, max %.3f)\n",
          tiles, dag.tasks.size(), edges,
          ability ? "efficiency + bottom level + ability (k = 32)"
                  : "efficiency + bottom level (the default)",
          read_each ? "after each addition" : "at the end", per_task[per_task.size() / 2], repeat,
          per_task.front(), per_task.back());
    }
  }
  return 0;
}
