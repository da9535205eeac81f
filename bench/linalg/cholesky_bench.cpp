// bench/linalg: tiled Cholesky (double) on this machine's CPU cores, same run, same matrix:
// OpenBLAS's own multithreaded LAPACKE_dpotrf, Tessera under several policies, and StarPU
// 1.3 driving the same tiles and tile kernels (bench/peers/starpu_cholesky). Reports the
// best and median GFLOP/s of --repeat timed runs after --warmup runs (which also calibrate
// the performance models of dmda-like policies).
//
//   build/bin/tessera-bench-cholesky --n 4096,8192 --nb 512 [--repeat 3] [--warmup 2]
//       [--tessera lws,dmdas,inspirit] [--starpu lws,dmda,tessera-inspirit] [--ncpu 2] [--csv FILE]
//       [--batched inspirit,heft]   (also with the whole graph submitted as one paused batch)
//
// StarPU's "tessera-inspirit" is Tessera's INSPIRIT plug-in for StarPU (plugins/starpu).

#include "common/list_option.hpp"
#include <lapacke.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <linalg/factorization.hpp>
#include <tessera/codelets/blas/blas_codelets.hpp>
#include <tessera/runtime.hpp>

#ifdef TESSERA_BENCH_STARPU
#include <tessera/starpu_inspirit.h>

#include "starpu_cholesky.hpp"
#endif

namespace {

using tessera::linalg::FactorizationOptions;

struct Row {
  std::size_t n, nb;
  std::string runtime, policy;
  double best_gflops, median_gflops, residual;
};

// Runs `factorize` (which factorizes its argument in place and returns seconds) on fresh
// copies of the input: warm-up runs, then timed ones; checks the last factor.
Row measure(const FactorizationOptions& o, const std::vector<double>& input, int warmup, int repeat,
            const std::function<double(std::vector<double>&)>& factorize) {
  const double flops = tessera::linalg::flop_count(o.algorithm, static_cast<double>(o.n));
  std::vector<double> a;
  for (int i = 0; i < warmup; ++i) {
    a = input;
    factorize(a);
  }
  std::vector<double> gflops;
  for (int i = 0; i < repeat; ++i) {
    a = input;
    gflops.push_back(flops / factorize(a) / 1e9);
  }
  std::sort(gflops.begin(), gflops.end());
  Row row{o.n, o.nb, "", "", gflops.back(), gflops[gflops.size() / 2], 0};
  row.residual = tessera::linalg::scaled_residual(o, input, a);
  if (row.residual > 100.0)
    std::fprintf(stderr, "warning: residual %.3g is too large\n", row.residual);
  return row;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Tiled Cholesky: OpenBLAS dpotrf, Tessera and StarPU on the same matrix"};
  std::string sizes = "4096,8192", tile_sizes = "512", tessera_policies = "lws,dmdas,inspirit",
              starpu_policies = "lws,dmda", batched_policies, csv;
  int repeat = 3, warmup = 2, ncpu = 2;
  app.add_option("--n", sizes, "matrix orders, comma-separated");
  app.add_option("--nb", tile_sizes, "tile sizes, comma-separated");
  app.add_option("--repeat", repeat, "timed runs per configuration")->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup, "untimed runs first (calibrate models)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--tessera", tessera_policies, "Tessera policies (empty: none)");
  app.add_option("--starpu", starpu_policies, "StarPU policies (empty: none)");
  app.add_option("--batched", batched_policies,
                 "Tessera policies also run with the whole graph submitted as one batch "
                 "(pause/resume)");
  app.add_option("--ncpu", ncpu, "CPU workers / OpenBLAS threads")->check(CLI::PositiveNumber);
  app.add_option("--csv", csv, "also write the rows to this CSV file");
  CLI11_PARSE(app, argc, argv);

  std::vector<Row> rows;
  auto report = [&](Row row, const std::string& runtime, const std::string& policy) {
    row.runtime = runtime;
    row.policy = policy;
    std::printf("n=%-6zu nb=%-5zu %-9s %-18s best %7.2f  median %7.2f GFLOP/s  residual %.2g\n",
                row.n, row.nb, runtime.c_str(), policy.c_str(), row.best_gflops, row.median_gflops,
                row.residual);
    std::fflush(stdout);
    rows.push_back(row);
  };
  try {
    for (const std::string& n_text : tessera::bench::split_list(sizes)) {
      FactorizationOptions o;
      o.n = std::stoul(n_text);
      const std::vector<double> input = tessera::linalg::generate_input<double>(o);

      tessera::codelets::blas::set_blas_threads(ncpu);
      o.nb = o.n;
      report(measure(o, input, warmup, repeat,
                     [&](std::vector<double>& a) {
                       const auto start = std::chrono::steady_clock::now();
                       const int N = static_cast<int>(o.n);
                       if (LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', N, a.data(), N) != 0)
                         throw std::runtime_error("dpotrf");
                       return seconds_since(start);
                     }),
             "openblas", "dpotrf " + std::to_string(ncpu) + " threads");
      tessera::codelets::blas::set_blas_threads(1);  // the runtimes' tile kernels: one core each

      for (const std::string& nb_text : tessera::bench::split_list(tile_sizes)) {
        o.nb = std::stoul(nb_text);
        // Each policy as tasks are submitted, then those of --batched with the whole graph
        // submitted as one batch (pause/resume: planned all at once by inspirit and heft).
        for (const bool batch : {false, true}) {
          for (const std::string& policy : tessera::bench::split_list(batch ? batched_policies : tessera_policies)) {
            tessera::Runtime rt(
                tessera::Config().without_env().with_ncpu(ncpu).with_sched(policy));
            FactorizationOptions run = o;
            run.batch = batch;
            report(measure(run, input, warmup, repeat,
                           [&](std::vector<double>& a) {
                             return tessera::linalg::factorize_in_place(rt, run, a).seconds;
                           }),
                   "tessera", batch ? policy + " batch" : policy);
          }
        }
        for (const std::string& policy : tessera::bench::split_list(starpu_policies)) {
#ifdef TESSERA_BENCH_STARPU
          tessera::peers::StarpuOptions so;
          so.ncpu = ncpu;
          so.sched = policy;
          if (policy == "tessera-inspirit")
            so.policy = tessera_starpu_inspirit_policy();  // the plug-in
          tessera::peers::StarpuSession session(so);
          report(measure(o, input, warmup, repeat,
                         [&](std::vector<double>& a) {
                           return tessera::peers::starpu_cholesky(session, a, o.n, o.nb).seconds;
                         }),
                 "starpu", session.policy_name());
#else
          std::fprintf(stderr, "StarPU was not found at build time: no 'starpu %s' row\n",
                       policy.c_str());
#endif
        }
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera-bench-cholesky: %s\n", e.what());
    return 1;
  }
  if (!csv.empty()) {
    std::ofstream out(csv);
    out << "n,nb,runtime,policy,best_gflops,median_gflops,residual\n";
    for (const Row& r : rows) {
      out << r.n << ',' << r.nb << ',' << r.runtime << ',' << r.policy << ',' << r.best_gflops
          << ',' << r.median_gflops << ',' << r.residual << '\n';
    }
  }
  return 0;
}
