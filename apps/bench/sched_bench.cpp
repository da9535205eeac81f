#include "bench/sched_bench.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <system_error>
#include <thread>

#include <dags/dag_spec.hpp>
#include <dags/priorities.hpp>
#include <tessera/error.hpp>

#include "bench/svg_charts.hpp"

namespace tessera::bench {
namespace {

// A text field of results.csv: quoted, with quotes doubled (RFC 4180), since DAG specs and
// policy names with options contain commas.
std::string csv_field(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + '"';
}

std::string family_of(const std::string& spec) {
  return spec.substr(0, spec.find(':'));
}

// The tile count of a generator spec ("cholesky:16:nb=640" -> 16), or -1.
int tiles_of(const std::string& spec) {
  const auto first = spec.find(':');
  if (first == std::string::npos || family_of(spec) == "random") return -1;
  try {
    return std::stoi(spec.substr(first + 1));
  } catch (const std::exception&) {
    return -1;
  }
}

bool is_dense(const std::string& spec) {
  const std::string f = family_of(spec);
  return f == "cholesky" || f == "lu" || f == "qr";
}

std::string fmt(double v, int digits = 3) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", digits, v);
  return text;
}

struct Job {
  std::size_t dag;
  std::size_t platform;
  std::size_t sched;
  std::uint64_t seed;
};

struct CaseKey {
  std::string dag, platform;
  bool operator<(const CaseKey& o) const {
    return std::tie(dag, platform) < std::tie(o.dag, o.platform);
  }
};

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  if (!out) throw Error("cannot write '" + path.string() + "'");
}

}  // namespace

SchedBenchOptions default_suite() {
  SchedBenchOptions o;
  for (const char* f : {"cholesky", "lu", "qr"}) {
    for (int n : {8, 16, 24, 32, 48, 64})
      o.dags.push_back(std::string(f) + ":" + std::to_string(n));
  }
  for (const char* r : {"random:n=300,fat=0.4,density=0.3,jump=2,ccr=0.1,seed=11",
                        "random:n=300,fat=0.7,density=0.2,jump=1,ccr=1,seed=12",
                        "random:n=1000,fat=0.5,density=0.4,jump=3,ccr=0.2,seed=13",
                        "random:n=1000,fat=0.3,density=0.5,jump=2,ccr=0.05,seed=14"}) {
    o.dags.push_back(r);
  }
  o.platforms = {"sirocco", "mirage", "idgraf", "attila"};
  o.scheds = {"inspirit", "dmda", "dmdas", "heteroprio", "heft", "eager", "ws", "random"};
  return o;
}

SchedBenchOptions quick_suite() {
  SchedBenchOptions o = default_suite();
  o.dags.clear();
  for (const char* f : {"cholesky", "lu", "qr"}) {
    for (int n : {8, 16, 24, 32}) o.dags.push_back(std::string(f) + ":" + std::to_string(n));
  }
  o.dags.push_back("random:n=300,fat=0.4,density=0.3,jump=2,ccr=0.1,seed=11");
  o.dags.push_back("random:n=300,fat=0.7,density=0.2,jump=1,ccr=1,seed=12");
  return o;
}

SchedBenchSummary run_sched_bench(const SchedBenchOptions& options,
                                  std::vector<SchedBenchRow>* rows_out) {
  if (options.dags.empty() || options.platforms.empty() || options.scheds.empty()) {
    throw InvalidArgument("bench sched: give at least one DAG, platform and policy");
  }
  if (options.seeds < 1) throw InvalidArgument("bench sched: --seeds must be at least 1");
  if (options.out_dir.empty()) throw InvalidArgument("bench sched: --out is required");
  std::filesystem::create_directories(options.out_dir);
  const auto scheme = dags::parse_priority_scheme(options.priorities);

  std::vector<Platform> platforms;
  for (const std::string& p : options.platforms) platforms.push_back(Platform::resolve(p));
  // One graph per (DAG, platform): tile sizes and bottom-level priorities depend on both.
  std::vector<std::vector<Dag>> dags(options.dags.size());
  for (std::size_t d = 0; d < options.dags.size(); ++d) {
    for (const Platform& p : platforms) {
      dags::GeneratorDefaults defaults;
      if (p.tile > 0) defaults.tile_size = p.tile;
      Dag dag = dags::make_dag(options.dags[d], defaults);
      dags::apply_priorities(dag, p, scheme);
      dags[d].push_back(std::move(dag));
    }
  }

  std::vector<Job> jobs;
  for (std::size_t d = 0; d < options.dags.size(); ++d) {
    for (std::size_t p = 0; p < platforms.size(); ++p) {
      for (std::size_t s = 0; s < options.scheds.size(); ++s) {
        for (int seed = 1; seed <= options.seeds; ++seed)
          jobs.push_back({d, p, s, static_cast<std::uint64_t>(seed)});
      }
    }
  }
  std::vector<SchedBenchRow> rows(jobs.size());
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> done{0};
  std::mutex progress;
  std::exception_ptr failure;
  auto worker = [&] {
    for (std::size_t i = next++; i < jobs.size(); i = next++) {
      const Job& job = jobs[i];
      try {
        SimOptions sim;
        sim.sched = options.scheds[job.sched];
        sim.seed = job.seed;
        sim.noise = options.noise;
        const SimResult r = simulate(dags[job.dag][job.platform], platforms[job.platform], sim);
        rows[i] = {options.dags[job.dag],
                   platforms[job.platform].name,
                   options.scheds[job.sched],
                   job.seed,
                   r.tasks,
                   r.makespan_us,
                   r.bound.value_us(),
                   r.gflops,
                   r.wall_seconds};
        const std::size_t finished = ++done;
        if (!options.quiet) {
          std::lock_guard lock(progress);
          std::fprintf(stderr, "[%zu/%zu] %-28s %-8s %-12s seed %llu: %10.1f ms (%.3f x bound)\n",
                       finished, jobs.size(), rows[i].dag.c_str(), rows[i].platform.c_str(),
                       rows[i].sched.c_str(), static_cast<unsigned long long>(job.seed),
                       r.makespan_us / 1e3, r.makespan_us / r.bound.value_us());
        }
      } catch (...) {
        std::lock_guard lock(progress);
        if (!failure) failure = std::current_exception();
        next = jobs.size();
      }
    }
  };
  if (options.threads < 0) throw InvalidArgument("bench sched: --threads must be 0 or more");
  const std::size_t wanted = options.threads > 0
                                 ? static_cast<std::size_t>(options.threads)
                                 : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::max<std::size_t>(1, std::min(wanted, jobs.size()));
  std::vector<std::thread> pool;
  try {
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker);
  } catch (const std::system_error& e) {
    // The threads already started stop after their current simulation: join them before
    // reporting, since a joinable std::thread destroyed would terminate the program.
    next = jobs.size();
    for (std::thread& t : pool) t.join();
    throw Error("bench sched: could not start thread " + std::to_string(pool.size() + 1) + " of " +
                std::to_string(threads) + " (" + e.what() + "); give fewer --threads");
  }
  for (std::thread& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);

  // results.csv: simulated figures only, so that the same command gives the same file (a
  // test checks it); how long each simulation took goes to timings.csv.
  {
    std::ostringstream csv;
    std::ostringstream timings;
    csv << "dag,platform,sched,seed,tasks,makespan_us,lower_bound_us,ratio,gflops\n";
    timings << "dag,platform,sched,seed,wall_seconds\n";
    for (const SchedBenchRow& r : rows) {
      const std::string key = csv_field(r.dag) + ',' + csv_field(r.platform) + ',' +
                              csv_field(r.sched) + ',' + std::to_string(r.seed);
      csv << key << ',' << r.tasks << ',' << fmt(r.makespan_us, 1) << ','
          << fmt(r.lower_bound_us, 1) << ',' << fmt(r.makespan_us / r.lower_bound_us, 4) << ','
          << fmt(r.gflops, 1) << '\n';
      timings << key << ',' << fmt(r.wall_seconds, 4) << '\n';
    }
    write_file(std::filesystem::path(options.out_dir) / "results.csv", csv.str());
    write_file(std::filesystem::path(options.out_dir) / "timings.csv", timings.str());
  }

  // Mean makespan per (case, policy), and the spread over seeds.
  std::map<CaseKey, std::map<std::string, std::vector<double>>> makespans;
  std::map<CaseKey, double> bounds;
  for (const SchedBenchRow& r : rows) {
    makespans[{r.dag, r.platform}][r.sched].push_back(r.makespan_us);
    bounds[{r.dag, r.platform}] = r.lower_bound_us;  // the same for every policy without noise
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  auto spread = [&](const std::vector<double>& v) {
    const double m = mean(v);
    double s = 0;
    for (double x : v) s += (x - m) * (x - m);
    return v.size() > 1 ? std::sqrt(s / static_cast<double>(v.size() - 1)) : 0.0;
  };
  const std::string& ref = options.reference;
  const bool has_ref =
      std::find(options.scheds.begin(), options.scheds.end(), ref) != options.scheds.end();
  // Speedups need another policy to compare with; a run of the reference alone still reports
  // its makespan over the bound.
  const bool compare = has_ref && options.scheds.size() > 1;

  SchedBenchSummary summary;
  double log_sum = 0, ratio_sum = 0;
  summary.min_speedup = 1e300;
  std::ostringstream md;
  md << "# Scheduler benchmark\n\n";
  md << "Simulated with `tessera bench sched`; " << options.seeds << " seed(s)"
     << (options.noise ? ", noisy durations" : ", model means") << ", priorities "
     << options.priorities
     << ". Each cell: makespan / lower bound (mean over seeds); lower is better, 1 is optimal.";
  if (compare)
    md << " The last column: the best other policy's makespan over " << ref
       << "'s (above 1: " << ref << " is faster).";
  md << "\n\n";

  std::set<std::string> families;
  for (const std::string& d : options.dags) families.insert(family_of(d));
  std::set<std::string> platform_names;
  for (const Platform& p : platforms) platform_names.insert(p.name);
  for (const std::string& family : families) {
    for (const Platform& platform : platforms) {
      md << "## " << family << " on " << platform.name << "\n\n| DAG | tasks |";
      for (const std::string& s : options.scheds) md << ' ' << s << " |";
      if (compare) md << " best other | speedup |";
      md << "\n|---|---|";
      for (std::size_t i = 0; i < options.scheds.size(); ++i) md << "---|";
      if (compare) md << "---|---|";
      md << "\n";
      LineChart chart;
      chart.title = family + " on " + platform.name + ": makespan / lower bound";
      chart.x_label = "tiles per side (N)";
      chart.y_label = "makespan / lower bound";
      for (const std::string& s : options.scheds) chart.series.push_back({s, {}, {}});
      for (const std::string& dag : options.dags) {
        if (family_of(dag) != family) continue;
        const CaseKey key{dag, platform.name};
        auto& per = makespans[key];
        std::size_t tasks = 0;
        for (const SchedBenchRow& r : rows) {
          if (r.dag == dag && r.platform == platform.name) tasks = r.tasks;
        }
        md << "| " << dag << " | " << tasks << " |";
        std::string best_other;
        double best_other_ms = 1e300;
        for (std::size_t i = 0; i < options.scheds.size(); ++i) {
          const std::string& s = options.scheds[i];
          const double m = mean(per[s]);
          md << ' ' << fmt(m / bounds[key]) << " |";
          if (tiles_of(dag) > 0) {
            chart.series[i].x.push_back(tiles_of(dag));
            chart.series[i].y.push_back(m / bounds[key]);
          }
          if (s != ref && m < best_other_ms) {
            best_other_ms = m;
            best_other = s;
          }
        }
        if (compare) {
          const double speedup = best_other_ms / mean(per[ref]);
          md << ' ' << best_other << " | " << fmt(speedup) << " |";
          if (is_dense(dag)) {
            log_sum += std::log(speedup);
            summary.min_speedup = std::min(summary.min_speedup, speedup);
          }
        }
        if (has_ref && is_dense(dag)) {
          ratio_sum += mean(per[ref]) / bounds[key];
          ++summary.cases;
        }
        md << "\n";
      }
      md << "\n";
      if (tiles_of(options.dags.front()) > 0 || family != "random") {
        const std::string file = family + "-" + platform.name + ".svg";
        write_file(std::filesystem::path(options.out_dir) / file, chart.to_svg());
        md << "![" << family << " on " << platform.name << "](" << file << ")\n\n";
      }
    }
  }
  if (summary.cases > 0) {
    summary.compared = compare;
    summary.mean_ratio_to_bound = ratio_sum / static_cast<double>(summary.cases);
    md << "## Summary (dense factorizations)\n\n";
    if (compare) {
      summary.geomean_speedup = std::exp(log_sum / static_cast<double>(summary.cases));
      md << "- " << ref << " against the best other policy of each case: geometric-mean speedup **"
         << fmt(summary.geomean_speedup) << "**, worst case " << fmt(summary.min_speedup) << " ("
         << summary.cases << " cases).\n";
    } else {
      summary.min_speedup = 0;
    }
    md << "- " << ref << "'s makespan over the lower bound, averaged: **"
       << fmt(summary.mean_ratio_to_bound) << "**.\n\n";
  }
  if (options.seeds > 1) {
    md << "## Spread over seeds\n\nMean makespan (ms) and standard deviation over the "
       << options.seeds
       << " seeds, and the policy's rank in the case (1 = fastest).\n\n| DAG | platform |";
    for (const std::string& s : options.scheds) md << ' ' << s << " |";
    md << "\n|---|---|";
    for (std::size_t i = 0; i < options.scheds.size(); ++i) md << "---|";
    md << "\n";
    for (auto& [key, per] : makespans) {
      std::vector<std::pair<double, std::string>> order;
      for (const std::string& s : options.scheds) order.emplace_back(mean(per[s]), s);
      std::sort(order.begin(), order.end());
      md << "| " << key.dag << " | " << key.platform << " |";
      for (const std::string& s : options.scheds) {
        const auto rank =
            std::find_if(order.begin(), order.end(), [&](const auto& o) { return o.second == s; }) -
            order.begin() + 1;
        md << ' ' << fmt(mean(per[s]) / 1e3, 1) << " ± " << fmt(spread(per[s]) / 1e3, 1) << " (#"
           << rank << ") |";
      }
      md << "\n";
    }
    md << "\n";
  }

  // One schedule to look at: the reference policy on a mid-sized dense DAG.
  std::string gantt_dag = options.dags.front();
  for (const std::string& d : options.dags) {
    if (is_dense(d) && tiles_of(d) <= 16) gantt_dag = d;
  }
  const std::size_t gantt_index = static_cast<std::size_t>(
      std::find(options.dags.begin(), options.dags.end(), gantt_dag) - options.dags.begin());
  SimOptions sim;
  sim.sched = has_ref ? ref : options.scheds.front();
  sim.trace_file = (std::filesystem::path(options.out_dir) / "trace.json").string();
  const SimResult r = simulate(dags[gantt_index][0], platforms[0], sim);
  GanttChart gantt;
  gantt.title = sim.sched + " on " + gantt_dag + ", " + platforms[0].name + ": " +
                fmt(r.makespan_us / 1e3, 1) + " ms (bound " + fmt(r.bound.value_us() / 1e3, 1) +
                " ms)";
  for (const SimWorkerReport& w : r.workers) gantt.rows.push_back(w.name);
  for (const SimTaskRecord& t : r.schedule) {
    gantt.bars.push_back({t.worker, t.start_us, t.end_us, dags[gantt_index][0].tasks[t.task].type});
  }
  gantt.horizon = r.makespan_us;
  write_file(std::filesystem::path(options.out_dir) / "gantt.svg", gantt.to_svg());
  md << "## One schedule\n\n![Gantt chart](gantt.svg)\n\n"
     << gantt.title << ". The same schedule as a Perfetto trace: `trace.json`.\n";
  write_file(std::filesystem::path(options.out_dir) / "summary.md", md.str());
  if (rows_out) *rows_out = std::move(rows);
  return summary;
}

}  // namespace tessera::bench
