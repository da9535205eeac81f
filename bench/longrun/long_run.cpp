// bench/longrun: a job that submits millions of tasks keeps a flat memory profile. Each
// policy runs --tasks tasks (default 10 M) of a small graph shape repeated round after round,
// in one of two modes: "rounds" (each round submitted as a batch with pause/resume, then
// waited for: the shape of an iterative solver or a training loop) or "stream" (no waiting at
// all, Config::max_submitted bounding the unfinished tasks: a producer of a log stream).
// The resident memory of the process is sampled as the run goes, and written with the
// throughput to DIR/results.csv, DIR/summary.md and DIR/rss.svg.
//
//   build/bin/tessera-bench-longrun --out DIR [--tasks 10000000] [--round 10000]
//       [--scheds inspirit,lws,dmdas,heft] [--modes rounds,stream] [--ncpu 2]

#include <sys/wait.h>
#include <unistd.h>
#include "common/list_option.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <bench/svg_charts.hpp>
#include <tessera/tessera.hpp>

namespace {

// Resident memory of this process, in MiB (from /proc/self/statm).
double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  long long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1048576.0;
}

struct Sample {
  std::size_t tasks = 0;
  double seconds = 0;
  double rss_mib = 0;
};

struct Run {
  std::string sched;
  std::string mode;
  std::vector<Sample> samples;
  double seconds = 0;
};

// One round's graph: 64 chains (a task reads and writes its chain's cell) that meet every
// 8 tasks (a task of chain c also reads chain c+1's cell): enough dependencies that the
// policies' graph state matters, cheap kernels so that millions of tasks run in seconds.
void submit_round(tessera::Runtime& rt, const tessera::Codelet& step,
                  const std::vector<tessera::VectorHandle>& cells, std::size_t round_tasks,
                  std::size_t first) {
  const std::size_t chains = cells.size();
  for (std::size_t i = 0; i < round_tasks; ++i) {
    const std::size_t t = first + i;
    const std::size_t chain = t % chains;
    tessera::TaskBuilder b = rt.task(step);
    b.read_write(cells[chain]);
    if ((t / chains) % 8 == 7) b.read(cells[(chain + 1) % chains]);
    b.submit();
  }
}

Run run_one(const std::string& sched, const std::string& mode, std::size_t tasks,
            std::size_t round_tasks, int ncpu) {
  Run run{sched, mode, {}, 0};
  tessera::Config config = tessera::Config{}.with_ncpu(ncpu).with_sched(sched).without_env();
  if (mode == "stream") config.with_max_submitted(static_cast<long long>(round_tasks));
  std::vector<long> values(64, 0);
  tessera::Runtime rt(config);
  std::vector<tessera::VectorHandle> cells;
  for (long& v : values) cells.push_back(rt.register_vector(std::span(&v, 1)));
  tessera::Codelet step("step");
  step.cpu([](tessera::TaskContext& ctx) { ++ctx.vector<long>(0)[0]; });

  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const std::size_t samples = 100;
  const std::size_t rounds = (tasks + round_tasks - 1) / round_tasks;
  const std::size_t sample_every = std::max<std::size_t>(1, rounds / samples);
  run.samples.push_back({0, 0.0, resident_mib()});
  std::size_t done = 0;
  for (std::size_t r = 0; r < rounds; ++r) {
    const std::size_t n = std::min(round_tasks, tasks - done);
    if (mode == "rounds") {
      rt.pause();
      submit_round(rt, step, cells, n, done);
      rt.resume();
      rt.wait_all();
    } else {
      submit_round(rt, step, cells, n, done);  // throttled: never more than a round unfinished
    }
    done += n;
    if ((r + 1) % sample_every == 0 || r + 1 == rounds) {
      run.samples.push_back({done, elapsed(), resident_mib()});
      // Progress, every tenth of the samples.
      if (run.samples.size() % (samples / 10) == 1 || r + 1 == rounds) {
        std::fprintf(stderr, "%-10s %-7s %5.1f%%  %5.2f M tasks  %6.1f s  %7.1f MiB\n",
                     sched.c_str(), mode.c_str(),
                     100.0 * static_cast<double>(done) / static_cast<double>(tasks),
                     static_cast<double>(done) / 1e6, elapsed(), run.samples.back().rss_mib);
      }
    }
  }
  rt.wait_all();
  run.seconds = elapsed();
  for (auto& c : cells) rt.unregister(c);
  long total = 0;
  for (long v : values) total += v;
  if (static_cast<std::size_t>(total) != tasks) {
    throw std::runtime_error(sched + " " + mode + ": " + std::to_string(total) +
                             " increments for " + std::to_string(tasks) + " tasks");
  }
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Millions of tasks in rounds or as a throttled stream: resident memory over time"};
  std::size_t tasks = 10'000'000, round_tasks = 10'000;
  std::string scheds = "inspirit,lws,dmdas,heft", modes = "rounds,stream", out;
  int ncpu = 2;
  app.add_option("--out", out, "output directory")->required();
  app.add_option("--tasks", tasks, "tasks per policy and mode")->check(CLI::PositiveNumber);
  app.add_option("--round", round_tasks, "tasks per round (stream: the throttle's bound)")
      ->check(CLI::PositiveNumber);
  app.add_option("--scheds", scheds, "policies, comma-separated");
  app.add_option("--modes", modes, "rounds, stream, or both");
  app.add_option("--ncpu", ncpu, "CPU workers")->check(CLI::PositiveNumber);
  CLI11_PARSE(app, argc, argv);
  for (const std::string& m : tessera::bench::split_list(modes)) {
    if (m != "rounds" && m != "stream") {
      std::fprintf(stderr, "tessera-bench-longrun: unknown mode '%s' (rounds or stream)\n",
                   m.c_str());
      return 2;
    }
  }

  // Each run in a process of its own, so that one run's memory (kept by the allocator, or
  // by the task pool) is not counted in the next one's.
  std::filesystem::create_directories(out);
  std::vector<Run> runs;
  for (const std::string& mode : tessera::bench::split_list(modes)) {
    for (const std::string& sched : tessera::bench::split_list(scheds)) {
      const std::filesystem::path part =
          std::filesystem::path(out) / (sched + "-" + mode + ".part");
      std::fflush(nullptr);
      const pid_t child = fork();
      if (child == 0) {
        try {
          const Run r = run_one(sched, mode, tasks, round_tasks, ncpu);
          std::ofstream f(part);
          f << r.seconds << '\n';
          for (const Sample& x : r.samples)
            f << x.tasks << ' ' << x.seconds << ' ' << x.rss_mib << '\n';
          f.close();  // _Exit runs no destructor: flush now
          std::_Exit(f ? 0 : 1);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "tessera-bench-longrun: %s\n", e.what());
          std::_Exit(1);
        }
      }
      int status = 0;
      if (child < 0 || waitpid(child, &status, 0) < 0 || !WIFEXITED(status) ||
          WEXITSTATUS(status) != 0) {
        std::fprintf(stderr, "tessera-bench-longrun: the %s %s run failed\n", sched.c_str(),
                     mode.c_str());
        return 1;
      }
      Run r{sched, mode, {}, 0};
      std::ifstream f(part);
      f >> r.seconds;
      for (Sample x; f >> x.tasks >> x.seconds >> x.rss_mib;) r.samples.push_back(x);
      std::filesystem::remove(part);
      if (r.samples.empty()) {
        std::fprintf(stderr, "tessera-bench-longrun: the %s %s run wrote no samples\n",
                     sched.c_str(), mode.c_str());
        return 1;
      }
      runs.push_back(std::move(r));
    }
  }

  std::ofstream csv(std::filesystem::path(out) / "results.csv");
  csv << "sched,mode,tasks,seconds,rss_mib\n";
  std::ostringstream md;
  std::string command;
  for (int i = 0; i < argc; ++i) command += (i ? " " : "") + std::string(argv[i]);
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  md << "Command: `" << command << "`, " << date << ", " << ncpu << " CPU workers on "
     << std::thread::hardware_concurrency() << " cores.\n\n";
  md << "| policy | mode | M tasks/s | RSS at the first sample (MiB) | RSS at the end | most |\n"
     << "|---|---|---|---|---|---|\n";
  tessera::bench::LineChart chart{
      "Resident memory over a long run", "tasks done (millions)", "resident memory (MiB)", {}};
  for (const Run& r : runs) {
    tessera::bench::Series series{r.sched + " " + r.mode, {}, {}};
    double most = 0;
    for (const Sample& s : r.samples) {
      csv << r.sched << ',' << r.mode << ',' << s.tasks << ',' << s.seconds << ',' << s.rss_mib
          << '\n';
      series.x.push_back(static_cast<double>(s.tasks) / 1e6);
      series.y.push_back(s.rss_mib);
      most = std::max(most, s.rss_mib);
    }
    chart.series.push_back(series);
    const double early = r.samples.size() > 1 ? r.samples[1].rss_mib : r.samples[0].rss_mib;
    char row[256];
    std::snprintf(row, sizeof row, "| %s | %s | %.2f | %.1f | %.1f | %.1f |\n", r.sched.c_str(),
                  r.mode.c_str(), static_cast<double>(tasks) / r.seconds / 1e6, early,
                  r.samples.back().rss_mib, most);
    md << row;
  }
  std::ofstream(std::filesystem::path(out) / "summary.md") << md.str();
  std::ofstream(std::filesystem::path(out) / "rss.svg") << chart.to_svg();
  std::printf("%s", md.str().c_str());
  std::printf("wrote %s/{results.csv, summary.md, rss.svg}\n", out.c_str());
  return 0;
}
