// bench/overhead: per-task cost of empty tasks on Tessera, StarPU 1.3 and oneTBB's flow
// graph, same shapes, same run. Prints microseconds per task (median of --repeat runs) and
// the ratio of Tessera's best policy to each peer.
//
//   build/bin/tessera-bench-overhead [--tasks N] [--repeat R] [--ncpu P] [--json FILE]
//       [--only RUNNER,...] [--shapes SHAPE,...]

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "peers.hpp"

namespace {

using tessera::bench::Runner;
using tessera::bench::Shape;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  std::size_t tasks = 100'000;
  int repeat = 5;
  int ncpu = 2;
  std::string json_path, only, shapes;
  for (int i = 1; i < argc; ++i) {
    auto value = [&] {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "missing value after %s\n", argv[i]);
        std::exit(2);
      }
      return std::string(argv[++i]);
    };
    if (!std::strcmp(argv[i], "--tasks")) {
      tasks = std::stoul(value());
    } else if (!std::strcmp(argv[i], "--repeat")) {
      repeat = std::stoi(value());
    } else if (!std::strcmp(argv[i], "--ncpu")) {
      ncpu = std::stoi(value());
    } else if (!std::strcmp(argv[i], "--json")) {
      json_path = value();
    } else if (!std::strcmp(argv[i], "--only")) {
      only = "," + value() + ",";
    } else if (!std::strcmp(argv[i], "--shapes")) {
      shapes = "," + value() + ",";
    } else {
      std::fprintf(stderr,
                   "usage: %s [--tasks N] [--repeat R] [--ncpu P] [--json FILE] "
                   "[--only RUNNER,...] [--shapes SHAPE,...]\n",
                   argv[0]);
      return 2;
    }
  }
  auto selected = [](const std::string& list, const std::string& name) {
    return list.empty() || list.find("," + name + ",") != std::string::npos;
  };

  std::vector<Runner> all = tessera::bench::tessera_runners(ncpu);
  for (auto& r : tessera::bench::starpu_runners(ncpu)) all.push_back(r);
  for (auto& r : tessera::bench::tbb_runners(ncpu)) all.push_back(r);
  std::vector<Runner> runners;
  for (auto& r : all) {
    if (selected(only, r.name)) runners.push_back(r);
  }
  if (runners.empty()) {
    std::fprintf(stderr, "--only %s matches no runner\n", only.c_str());
    return 2;
  }

  std::printf(
      "overhead: %zu empty tasks per run, median of %d runs, %d CPU workers; microseconds per "
      "task\n\n",
      tasks, repeat, ncpu);
  std::printf("%-12s", "shape");
  for (const Runner& r : runners) std::printf(" %13s", r.name.c_str());
  std::printf(" %14s %14s %14s\n", "best-tessera", "vs best starpu", "tessera/tbb");

  nlohmann::json results = nlohmann::json::array();
  for (const Shape& shape : tessera::bench::all_shapes()) {
    if (!selected(shapes, shape.name)) continue;
    std::printf("%-12s", shape.name.c_str());
    std::fflush(stdout);
    std::map<std::string, double> us;
    for (const Runner& r : runners) {
      std::vector<double> runs;
      for (int k = 0; k < repeat; ++k) runs.push_back(r.run(shape, tasks));
      us[r.name] = median(runs) / static_cast<double>(tasks) * 1e6;
      std::printf(" %13.3f", us[r.name]);
      std::fflush(stdout);
      results.push_back({{"shape", shape.name}, {"runtime", r.name}, {"us_per_task", us[r.name]}});
    }
    double best_tessera = 1e300, best_starpu = 1e300, tbb = 1e300;
    for (auto& [name, v] : us) {
      if (name.rfind("tessera-", 0) == 0) best_tessera = std::min(best_tessera, v);
      if (name.rfind("starpu-", 0) == 0) best_starpu = std::min(best_starpu, v);
      if (name.rfind("tbb-", 0) == 0) tbb = std::min(tbb, v);
    }
    std::printf(" %14.3f", best_tessera);
    // How many times cheaper than StarPU's best; how many times TBB's cost Tessera's best is.
    if (best_starpu < 1e300) {
      std::printf(" %13.1fx", best_starpu / best_tessera);
    } else {
      std::printf(" %14s", "-");
    }
    if (tbb < 1e300 && best_tessera < 1e300) std::printf(" %13.2fx", best_tessera / tbb);
    std::printf("\n");
  }
  std::printf("\nshapes:\n");
  for (const Shape& s : tessera::bench::all_shapes())
    std::printf("  %-12s %s\n", s.name.c_str(), s.description.c_str());
  if (!json_path.empty()) std::ofstream(json_path) << results.dump(2) << "\n";
  return 0;
}
