#pragma once
// The scheduler benchmark: every combination of DAG, platform, policy and seed simulated,
// written as results.csv, summary.md and SVG plots (makespan over lower bound as the tile
// count grows; a Gantt chart of one schedule).

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <tessera/simulation.hpp>

namespace tessera::bench {

struct SchedBenchOptions {
  std::vector<std::string> dags;       // DAG specs
  std::vector<std::string> platforms;  // built-in names or files
  std::vector<std::string> scheds;     // policy specs
  int seeds = 1;                       // seeds 1..seeds (they matter with noise or random)
  bool noise = false;
  std::string priorities = "classic";
  std::string out_dir;
  std::string reference = "inspirit";  // the policy the summary compares with the others
  int threads = 0;                     // 0: one per core
  bool quiet = false;                  // no progress on stderr
};

// The default suite: Cholesky, LU and QR on N in {8, 16, 24, 32, 48, 64} and random DAGs,
// on the four built-in platforms, with INSPIRIT and every other heterogeneous-aware policy.
SchedBenchOptions default_suite();
// A short version for `make run` (a minute or two on two cores).
SchedBenchOptions quick_suite();

struct SchedBenchRow {
  std::string dag;
  std::string platform;
  std::string sched;
  std::uint64_t seed = 0;
  std::size_t tasks = 0;
  double makespan_us = 0;
  double lower_bound_us = 0;
  double gflops = 0;
  double wall_seconds = 0;
};

struct SchedBenchSummary {
  double geomean_speedup = 0;  // reference vs the best other policy, dense factorizations
  double min_speedup = 0;
  double mean_ratio_to_bound = 0;  // reference makespan / lower bound, dense factorizations
  std::size_t cases = 0;
  bool compared = false;  // false when the reference ran alone: no speedups
};

// Runs the suite, writes the files into options.out_dir, returns the rows and summary.
SchedBenchSummary run_sched_bench(const SchedBenchOptions& options,
                                  std::vector<SchedBenchRow>* rows = nullptr);

}  // namespace tessera::bench
