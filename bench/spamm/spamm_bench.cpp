// bench/spamm: SpAMM on this machine's CPU cores against dense OpenBLAS sgemm and dgemm of
// the same matrix, same run: for each matrix, the dense products once (dgemm is also the
// reference of the error), then SpAMM for each tile size and each tau (or valid rate) of
// its sweep. Prints one row per SpAMM run: error against speedup.
//
//   build/bin/tessera-bench-spamm --n 8192 --tile 128,256 --ncpu 2
//       --matrix exp:1,0.1 --sweep tau:1e-30,1e-3,0.05,0.5,2
//       --matrix alg:0.1,0.1 --sweep rate:0.05,0.1,0.25,0.5,1
//
// Each SpAMM time is the best of --repeat runs of the whole graph (norms, selection,
// products), a second run being skipped when the first took over --repeat-below seconds.

#include "common/list_option.hpp"
#include <CLI/CLI.hpp>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include <spamm/dense.hpp>
#include <spamm/matrix_source.hpp>
#include <spamm/spamm.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

namespace {

struct Sweep {
  bool by_rate = false;
  std::vector<double> values;
};

Sweep parse_sweep(const std::string& text) {
  Sweep s;
  const auto colon = text.find(':');
  const std::string kind = text.substr(0, colon);
  if (colon == std::string::npos || (kind != "tau" && kind != "rate")) {
    throw tessera::InvalidArgument("bad sweep '" + text +
                                   "': expected tau:X,Y,... or rate:X,Y,...");
  }
  s.by_rate = kind == "rate";
  for (const std::string& v : tessera::bench::split_list(text.substr(colon + 1))) s.values.push_back(std::stod(v));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"SpAMM against dense OpenBLAS sgemm/dgemm on the same matrices"};
  std::size_t n = 8192;
  std::string tiles = "128,256", sched = "lws";
  std::vector<std::string> matrices, sweeps;
  int ncpu = 2, repeat = 2;
  double repeat_below = 3.0;
  app.add_option("--n", n, "matrix order")->capture_default_str();
  app.add_option("--tile", tiles, "tile sizes, comma-separated")->capture_default_str();
  app.add_option("--matrix", matrices, "exp:c,v, alg:c,v or .mtx (repeat; one --sweep each)")
      ->required();
  app.add_option("--sweep", sweeps, "tau:X,Y,... or rate:X,Y,... (one per --matrix)")->required();
  app.add_option("--ncpu", ncpu, "CPU workers = OpenBLAS threads of the dense baselines")
      ->capture_default_str();
  app.add_option("--sched", sched, "scheduling policy of the SpAMM runs")->capture_default_str();
  app.add_option("--repeat", repeat, "SpAMM runs per point (best kept)")->capture_default_str();
  app.add_option("--repeat-below", repeat_below, "repeat only points faster than this (s)")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    if (matrices.size() != sweeps.size()) {
      throw tessera::InvalidArgument("give one --sweep per --matrix");
    }
    tessera::Runtime rt(
        tessera::Config{}.with_ncpu(ncpu).with_ncuda(0).with_sched(sched).without_env());
    std::printf("SpAMM vs OpenBLAS, n = %zu, %d CPU workers / BLAS threads, policy %s\n", n, ncpu,
                sched.c_str());
    std::printf("%-14s %5s %11s %10s %9s %10s %10s %9s %9s\n", "matrix", "tile", "tau", "valid %",
                "time s", "rel.error", "bound", "x sgemm", "x dgemm");
    for (std::size_t m = 0; m < matrices.size(); ++m) {
      std::size_t order = n;
      const tessera::spamm::MatrixSpec spec = tessera::spamm::MatrixSpec::parse(matrices[m]);
      const std::vector<float> a = tessera::spamm::make_matrix(spec, order);
      const Sweep sweep = parse_sweep(sweeps[m]);
      std::vector<float> cs(order * order);
      const double ts = tessera::spamm::dense_sgemm(a.data(), a.data(), cs.data(), order, ncpu);
      std::vector<double> cd(order * order);
      double td = 0.0;
      {
        const std::vector<double> ad = tessera::spamm::to_double(a);
        td = tessera::spamm::dense_dgemm(ad.data(), ad.data(), cd.data(), order, ncpu);
      }
      const double sgemm_error = tessera::spamm::relative_error(cs.data(), cd.data(), cs.size());
      std::printf(
          "%-14s dense OpenBLAS: sgemm %.3f s (rel.error %.3g), dgemm %.3f s (the reference)\n",
          spec.describe().c_str(), ts, sgemm_error, td);
      std::fflush(stdout);
      cs = {};
      for (const std::string& tile_text : tessera::bench::split_list(tiles)) {
        for (double value : sweep.values) {
          tessera::spamm::SpammOptions o;
          o.tile = std::stoul(tile_text);
          if (sweep.by_rate) {
            o.valid_rate = value;
          } else {
            o.tau = static_cast<float>(value);
          }
          std::vector<float> c(order * order);
          tessera::spamm::SpammResult r =
              tessera::spamm::multiply(rt, a.data(), a.data(), c.data(), order, o);
          double best = r.best_seconds();
          for (int i = 1; i < repeat && best < repeat_below; ++i) {
            best =
                std::min(best, tessera::spamm::multiply(rt, a.data(), a.data(), c.data(), order, o)
                                   .best_seconds());
          }
          const double error = tessera::spamm::relative_error(c.data(), cd.data(), c.size());
          std::printf("%-14s %5zu %11.4g %10.4f %9.4f %10.3g %10.3g %9.2f %9.2f\n",
                      spec.describe().c_str(), o.tile, static_cast<double>(r.tau),
                      100.0 * r.valid_rate(), best, error, r.bound.frobenius, ts / best, td / best);
          std::fflush(stdout);
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera-bench-spamm: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
