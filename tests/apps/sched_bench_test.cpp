// The scheduler benchmark's numbers: the summary's speedup is the geometric mean, over the
// dense cases, of the best other policy's makespan over the reference's, computed from the
// same rows it writes to results.csv; a reference run alone reports no speedup.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "bench/sched_bench.hpp"

namespace tessera::bench {
namespace {

SchedBenchOptions small_suite(const std::string& dir, std::vector<std::string> scheds) {
  SchedBenchOptions o;
  o.dags = {"cholesky:4", "lu:4", "qr:3"};
  o.platforms = {"sirocco", "idgraf"};
  o.scheds = std::move(scheds);
  o.reference = "inspirit";
  o.out_dir = (std::filesystem::temp_directory_path() / dir).string();
  o.threads = 1;
  o.quiet = true;
  return o;
}

std::string read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SchedBench, SummaryIsTheGeometricMeanOfTheRowsItWrites) {
  const SchedBenchOptions o = small_suite("tessera-sched-bench-test", {"inspirit", "dmda", "heft"});
  std::vector<SchedBenchRow> rows;
  const SchedBenchSummary s = run_sched_bench(o, &rows);
  ASSERT_EQ(rows.size(), 3u * 2u * 3u);
  std::map<std::pair<std::string, std::string>, std::map<std::string, double>> makespan;
  for (const SchedBenchRow& r : rows) {
    EXPECT_GE(r.makespan_us, r.lower_bound_us * (1 - 1e-9)) << r.dag << " " << r.sched;
    makespan[{r.dag, r.platform}][r.sched] = r.makespan_us;
  }
  double log_sum = 0;
  double worst = 1e300;
  for (auto& [key, per] : makespan) {
    const double speedup = std::min(per["dmda"], per["heft"]) / per["inspirit"];
    log_sum += std::log(speedup);
    worst = std::min(worst, speedup);
  }
  EXPECT_TRUE(s.compared);
  EXPECT_EQ(s.cases, makespan.size());
  EXPECT_NEAR(s.geomean_speedup, std::exp(log_sum / static_cast<double>(makespan.size())), 1e-9);
  EXPECT_NEAR(s.min_speedup, worst, 1e-9);
  const std::string summary = read(std::filesystem::path(o.out_dir) / "summary.md");
  EXPECT_NE(summary.find("against the best other policy of each case"), std::string::npos);
  const std::string csv = read(std::filesystem::path(o.out_dir) / "results.csv");
  EXPECT_EQ(csv.rfind("dag,platform,sched,seed,", 0), 0u);
  std::filesystem::remove_all(o.out_dir);
}

TEST(SchedBench, AReferenceAloneReportsItsBoundRatioButNoSpeedup) {
  const SchedBenchOptions o = small_suite("tessera-sched-bench-alone", {"inspirit"});
  const SchedBenchSummary s = run_sched_bench(o);
  EXPECT_FALSE(s.compared);
  EXPECT_EQ(s.cases, 6u);
  EXPECT_GE(s.mean_ratio_to_bound, 1.0 - 1e-9);
  EXPECT_TRUE(std::isfinite(s.mean_ratio_to_bound));
  EXPECT_EQ(s.geomean_speedup, 0.0);
  const std::string summary = read(std::filesystem::path(o.out_dir) / "summary.md");
  EXPECT_EQ(summary.find("best other"), std::string::npos);
  std::filesystem::remove_all(o.out_dir);
}

// Splits one results.csv line into fields, honouring quotes (RFC 4180).
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"' && quoted && i + 1 < line.size() && line[i + 1] == '"') {
      fields.back() += '"';
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(SchedBench, PolicyNamesWithOptionsStayOneCsvField) {
  SchedBenchOptions o =
      small_suite("tessera-sched-bench-csv", {"inspirit:plan=0,near=0.9", "dmda:alpha=1,beta=0"});
  o.reference = "inspirit:plan=0,near=0.9";
  run_sched_bench(o);
  std::istringstream csv(read(std::filesystem::path(o.out_dir) / "results.csv"));
  std::string line;
  std::getline(csv, line);
  const std::size_t columns = csv_fields(line).size();
  std::size_t rows = 0;
  while (std::getline(csv, line)) {
    const auto fields = csv_fields(line);
    ASSERT_EQ(fields.size(), columns) << line;
    EXPECT_THAT(fields[2], ::testing::AnyOf("inspirit:plan=0,near=0.9", "dmda:alpha=1,beta=0"));
    ++rows;
  }
  EXPECT_EQ(rows, 12u);
  std::filesystem::remove_all(o.out_dir);
}

// The same command twice gives the same results.csv, byte for byte: INSPIRIT (with its
// planned start and its random restarts) and the other policies on several cases simulated
// concurrently in one process. Task memory is recycled across threads, so any order that
// depended on addresses would show here.
TEST(SchedBench, TheSameCommandGivesIdenticalResultsEvenWhenCasesRunConcurrently) {
  SchedBenchOptions o = small_suite("tessera-sched-bench-repro-1",
                                    {"inspirit", "inspirit:plan=0", "heft", "dmdas", "random"});
  o.dags = {"cholesky:6", "lu:5", "qr:4", "random:n=120,fat=0.5,density=0.3,ccr=1,seed=3"};
  o.platforms = {"sirocco", "idgraf", "mirage"};
  o.threads = 2;
  run_sched_bench(o);
  const std::string first = read(std::filesystem::path(o.out_dir) / "results.csv");
  std::filesystem::remove_all(o.out_dir);
  for (int run = 2; run <= 3; ++run) {
    o.out_dir = (std::filesystem::temp_directory_path() /
                 ("tessera-sched-bench-repro-" + std::to_string(run)))
                    .string();
    o.threads = run == 2 ? 2 : 1;
    run_sched_bench(o);
    EXPECT_EQ(read(std::filesystem::path(o.out_dir) / "results.csv"), first) << "run " << run;
    std::filesystem::remove_all(o.out_dir);
  }
  EXPECT_GT(std::count(first.begin(), first.end(), '\n'), 4 * 3 * 5);
}

}  // namespace
}  // namespace tessera::bench
