// tessera bench sched: simulate every combination of DAGs, platforms and policies, and
// write results.csv, summary.md and SVG plots.

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include <bench/sched_bench.hpp>

#include "tessera/commands.hpp"

namespace tessera::cli {

void add_bench_command(CLI::App& app) {
  CLI::App* bench = app.add_subcommand("bench", "benchmarks");
  bench->require_subcommand(1);
  add_help_footer(*bench, "tessera bench sched --quick --out build/bench-sched",
                  "docs/cli.md (bench sched)");
  struct Options {
    bench::SchedBenchOptions suite = bench::default_suite();
    bool quick = false;
  };
  auto o = std::make_shared<Options>();
  CLI::App* sched = bench->add_subcommand("sched", "compare scheduling policies in the simulator");
  add_help_footer(*sched,
                  "tessera bench sched --dags cholesky:20 --platforms attila --out /tmp/sched",
                  "docs/cli.md (bench sched) and docs/inspirit.md");
  sched->add_option("--dags", o->suite.dags,
                    "DAG specs (space separated); default: the full suite");
  sched->add_option("--platforms", o->suite.platforms, "platforms (names or files)");
  sched->add_option("--scheds", o->suite.scheds,
                    "policies; the first named --reference is compared with the rest");
  sched->add_option("--reference", o->suite.reference, "the policy the summary compares")
      ->capture_default_str();
  sched->add_option("--seeds", o->suite.seeds, "seeds per case (matter with --noise and random)")
      ->capture_default_str();
  sched->add_flag("--noise", o->suite.noise, "sample durations around the model means");
  sched->add_option("--priorities", o->suite.priorities, "classic, bottom-level or none")
      ->capture_default_str();
  sched->add_option("--threads", o->suite.threads,
                    "simulations run at once (default: one per core)");
  sched->add_option("--out", o->suite.out_dir, "output directory")->required();
  sched->add_flag("--quick", o->quick, "a short suite (a minute or two), unless --dags is given");
  sched->callback([o, sched] {
    if (o->quick && sched->count("--dags") == 0) o->suite.dags = bench::quick_suite().dags;
    const bench::SchedBenchSummary s = bench::run_sched_bench(o->suite);
    std::ifstream summary(std::filesystem::path(o->suite.out_dir) / "summary.md");
    std::cout << summary.rdbuf() << "\n";
    std::printf("wrote %s/{results.csv, summary.md, *.svg, gantt.svg, trace.json}\n",
                o->suite.out_dir.c_str());
    if (s.cases > 0 && s.compared) {
      std::printf(
          "%s vs best other policy: geometric-mean speedup %.3f, worst %.3f; makespan / bound "
          "%.3f\n",
          o->suite.reference.c_str(), s.geomean_speedup, s.min_speedup, s.mean_ratio_to_bound);
    } else if (s.cases > 0) {
      std::printf("%s: makespan / bound %.3f (no other policy to compare with)\n",
                  o->suite.reference.c_str(), s.mean_ratio_to_bound);
    }
  });
}

}  // namespace tessera::cli
