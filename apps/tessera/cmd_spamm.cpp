// tessera spamm: sparse approximate matrix multiply (SpAMM) as a task graph, run on this
// machine's workers or simulated on a platform model.

#include <cstdio>
#include <memory>
#include <sstream>

#include <spamm/dense.hpp>
#include <spamm/spamm.hpp>
#include <spamm/spamm_sim.hpp>
#include <tessera/codelets/spamm/dense_gpu.hpp>
#include <tessera/error.hpp>
#include <tessera/memory_budget.hpp>
#include <tessera/runtime.hpp>

#include "tessera/commands.hpp"
#include "tessera/runtime_options.hpp"

namespace tessera::cli {
namespace {

using codelets::spamm::Precision;

struct SpammCommand {
  RuntimeOptions runtime;
  std::size_t n = 0;
  std::size_t tile = 128;
  double tau = -1.0;
  double valid_rate = -1.0;
  std::string matrix = "exp:1,0.1";
  std::string precision = "fp32";
  bool check = false;
  bool dense_gpu = false;
  int ncuda = -1;
  int repeat = 1;
  std::string simulate;
  std::string policies = "eager,dmda,dmdas,heteroprio,inspirit";
  bool sim_cpus = false;
};

std::vector<std::string> split_list(const std::string& list) {
  std::vector<std::string> out;
  std::stringstream in(list);
  for (std::string item; std::getline(in, item, ',');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

spamm::SpammOptions options_of(const SpammCommand& cmd) {
  if ((cmd.tau >= 0) == (cmd.valid_rate >= 0)) {
    throw InvalidArgument("spamm: give exactly one of --tau and --valid-rate");
  }
  spamm::SpammOptions o;
  o.tile = cmd.tile;
  if (cmd.tau >= 0) o.tau = static_cast<float>(cmd.tau);
  if (cmd.valid_rate >= 0) o.valid_rate = cmd.valid_rate;
  o.precision = codelets::spamm::parse_precision(cmd.precision);
  return o;
}

void print_selection(const spamm::SpammResult& r, const SpammCommand& cmd) {
  std::printf("tau %.6g (%s); tile products computed %llu of %llu (valid rate %.4f%%); %zu tasks\n",
              static_cast<double>(r.tau),
              cmd.tau >= 0 ? "given" : ("for valid rate " + std::to_string(cmd.valid_rate)).c_str(),
              static_cast<unsigned long long>(r.computed), static_cast<unsigned long long>(r.total),
              100.0 * r.valid_rate(), r.tasks);
  std::printf("error bound from the skipped products: %.4g (sum), %.4g (per-tile Frobenius)\n",
              r.bound.sum, r.bound.frobenius);
}

void simulate(const SpammCommand& cmd) {
  const spamm::SpammOptions o = options_of(cmd);
  const spamm::MatrixSpec spec = spamm::MatrixSpec::parse(cmd.matrix);
  std::size_t n = cmd.n;
  spamm::TileNorms norms;
  if (spec.generated()) {
    spamm::validate(n, o);
    norms = spamm::generated_norms(spec, n, o.tile);
  } else {
    const std::vector<float> a = spamm::make_matrix(spec, n);
    spamm::validate(n, o);
    norms = spamm::host_norms(a.data(), a.data(), n, o.tile);
  }
  const float tau = o.tau ? *o.tau : spamm::tau_for_valid_rate(norms, o.valid_rate);
  const Platform platform = Platform::resolve(cmd.simulate);
  const spamm::SimCosts costs = spamm::sim_costs(platform, o.tile, cmd.sim_cpus);
  const Dag dag = spamm::spamm_dag(norms, tau, o.tile, costs);
  const spamm::RowSplit split = spamm::row_split(norms, tau, o.tile, costs, platform);
  const std::uint64_t computed = spamm::count_selected(norms, tau);
  std::printf(
      "tessera spamm --simulate: %s, n = %zu, tile = %zu (%zu x %zu tiles), %s, %zu tasks\n",
      platform.name.c_str(), n, o.tile, norms.tiles, norms.tiles, spec.describe().c_str(),
      dag.tasks.size());
  std::printf("tau %.6g; tile products computed %llu of %llu (valid rate %.4f%%)\n",
              static_cast<double>(tau), static_cast<unsigned long long>(computed),
              static_cast<unsigned long long>(norms.total()),
              100.0 * static_cast<double>(computed) / static_cast<double>(norms.total()));
  std::printf("cost of one tile product: %.3f us on a GPU%s\n", costs.cuda_tile_product_us,
              cmd.sim_cpus
                  ? (", " + std::to_string(costs.cpu_tile_product_us) + " us on a CPU core").c_str()
                  : " (GPU workers only)");
  auto imbalance = [](const std::vector<double>& busy) {
    double max = 0, sum = 0;
    for (double b : busy) max = std::max(max, b), sum += b;
    return busy.empty() || sum == 0 ? 0.0 : max / (sum / static_cast<double>(busy.size()));
  };
  std::printf(
      "makespan: simulated, transfers included; the row split's is its busiest GPU's compute\n"
      "time (%.3f ms with its copies over each GPU's own link, see docs/spamm.md)\n",
      split.with_transfers_us / 1e3);
  std::printf("%-22s %12s %10s %12s %12s %10s\n", "schedule", "makespan ms", "split/this",
              "GPU busy min", "GPU busy max", "max/mean");
  auto row = [&](const std::string& name, double makespan, const std::vector<double>& busy) {
    const auto [lo, hi] = std::minmax_element(busy.begin(), busy.end());
    std::printf("%-22s %12.3f %9.3fx %12.3f %12.3f %10.3f\n", name.c_str(), makespan / 1e3,
                split.makespan_us / makespan, busy.empty() ? 0 : *lo / 1e3,
                busy.empty() ? 0 : *hi / 1e3, imbalance(busy));
  };
  row("cuSpAMM row split", split.makespan_us, split.gpu_busy_us);
  for (const std::string& policy : split_list(cmd.policies)) {
    SimOptions so;
    so.sched = policy;
    const SimResult r = tessera::simulate(dag, platform, so);
    std::vector<double> busy;
    for (const SimWorkerReport& w : r.workers) {
      if (w.kind != "cpu") busy.push_back(w.busy_us);
    }
    row(policy, r.makespan_us, busy);
    std::printf("%-22s lower bound %.3f ms, %llu transfers (%.2f GB)\n", "",
                r.bound.value_us() / 1e3, static_cast<unsigned long long>(r.transfers),
                r.bytes_transferred / 1e9);
  }
}

void run(const SpammCommand& cmd) {
  const spamm::SpammOptions o = options_of(cmd);
  std::size_t n = cmd.n;
  const spamm::MatrixSpec spec = spamm::MatrixSpec::parse(cmd.matrix);
  if (spec.generated()) {
    // A and C in single precision; --check adds sgemm's C and dgemm's A and C in double,
    // --dense-gpu two more single-precision products. (A .mtx file's reader checks its own.)
    const double matrices = 2.0 + (cmd.check ? 5.0 : 0.0) + (cmd.dense_gpu ? 2.0 : 0.0);
    require_memory(static_cast<double>(n) * static_cast<double>(n) * sizeof(float) * matrices,
                   "spamm --n " + std::to_string(n) + (cmd.check ? " --check" : ""));
  }
  const std::vector<float> a = spamm::make_matrix(spec, n);
  spamm::validate(n, o);
  std::vector<float> c(n * n);
  Config config = cmd.runtime.to_config();
  if (cmd.ncuda >= 0) config.ncuda = cmd.ncuda;
  int cpus = 0;
  spamm::SpammResult r;
  {
    // The runtime is shut down before the baselines: they get the cores and the GPU memory.
    Runtime rt(config);
    int gpus = 0;
    for (const WorkerInfo& w : rt.workers()) (w.arch == Arch::cpu ? cpus : gpus)++;
    std::printf(
        "tessera spamm: n = %zu, tile = %zu, matrix %s (B = A), %s, policy %s, %d CPU + %d CUDA "
        "workers\n",
        n, o.tile, cmd.matrix.c_str(), cmd.precision.c_str(), std::string(rt.policy_name()).c_str(),
        cpus, gpus);
    std::fflush(stdout);
    // Pinned host memory makes the tile copies to and from the GPUs asynchronous and fast.
    float* a_data = const_cast<float*>(a.data());  // pinning changes no value
    const bool pinned_a = gpus > 0 && rt.pin_memory(a_data, a.size() * sizeof(float));
    const bool pinned_c = gpus > 0 && rt.pin_memory(c.data(), c.size() * sizeof(float));
    const double flops =
        2.0 * static_cast<double>(n) * static_cast<double>(n) * static_cast<double>(n);
    int index = 0;
    r = spamm::multiply(rt, a.data(), a.data(), c.data(), n, o, cmd.repeat,
                        [&](const spamm::SpammRun& run) {
                          std::printf(
                              "run %d: %.4f s (norms %.4f s, selection %.4f s, products %.4f s), "
                              "effective %.1f GFLOP/s\n",
                              ++index, run.seconds(), run.norm_seconds, run.select_seconds,
                              run.product_seconds, flops / run.seconds() / 1e9);
                          std::fflush(stdout);
                        });
    if (pinned_a) rt.unpin_memory(a_data);
    if (pinned_c) rt.unpin_memory(c.data());
    rt.shutdown();
  }
  print_selection(r, cmd);
  const double best = r.best_seconds();
  double best_products = r.runs.front().product_seconds;
  for (const spamm::SpammRun& run : r.runs)
    best_products = std::min(best_products, run.product_seconds);
  if (cmd.check) {
    const int threads = std::max(1, cpus);
    std::vector<float> cs(n * n);
    const double ts = spamm::dense_sgemm(a.data(), a.data(), cs.data(), n, threads);
    const std::vector<double> ad = spamm::to_double(a);
    std::vector<double> cd(n * n);
    const double td = spamm::dense_dgemm(ad.data(), ad.data(), cd.data(), n, threads);
    std::printf("dense OpenBLAS on %d threads: sgemm %.4f s, dgemm %.4f s\n", threads, ts, td);
    std::printf("relative error vs dgemm: spamm %.4g, sgemm %.4g\n",
                spamm::relative_error(c.data(), cd.data(), c.size()),
                spamm::relative_error(cs.data(), cd.data(), cs.size()));
    std::printf("speedup of the best run: %.2fx over sgemm, %.2fx over dgemm\n", ts / best,
                td / best);
  }
  if (cmd.dense_gpu) {
    std::vector<float> cs(n * n), ch(n * n);
    const double ts =
        codelets::spamm::dense_gpu_gemm(a.data(), a.data(), cs.data(), n, Precision::fp32, 3);
    const double th =
        codelets::spamm::dense_gpu_gemm(a.data(), a.data(), ch.data(), n, Precision::fp16, 3);
    std::printf(
        "dense cuBLAS on GPU 0 (kernel only, best of 3): sgemm %.4f s, gemmEx fp16->fp32 %.4f s\n",
        ts, th);
    std::printf("relative error vs cuBLAS sgemm: spamm %.4g, gemmEx fp16 %.4g\n",
                spamm::relative_error(c.data(), cs.data(), c.size()),
                spamm::relative_error(ch.data(), cs.data(), ch.size()));
    std::printf("speedup of the best run (whole graph): %.2fx over sgemm, %.2fx over gemmEx fp16\n",
                ts / best, th / best);
    std::printf("speedup of the best product phase: %.2fx over sgemm, %.2fx over gemmEx fp16\n",
                ts / best_products, th / best_products);
  }
}

}  // namespace

void add_spamm_command(CLI::App& app) {
  auto cmd = std::make_shared<SpammCommand>();
  CLI::App* sub = app.add_subcommand(
      "spamm", "sparse approximate matrix multiply (SpAMM) of a decaying matrix by itself");
  add_help_footer(*sub, "tessera spamm --n 4096 --tile 128 --valid-rate 0.1 --check",
                  "docs/spamm.md");
  cmd->runtime.add_to(*sub);
  sub->add_option("--n", cmd->n, "matrix order (generated matrices; optional for a .mtx file)");
  sub->add_option("--tile", cmd->tile, "tile size")->capture_default_str();
  sub->add_option("--tau", cmd->tau, "compute A_ik B_kj only if ||A_ik|| ||B_kj|| >= tau")
      ->check(non_negative_number());
  sub->add_option("--valid-rate", cmd->valid_rate,
                  "find tau by bisection so that this fraction of tile products is computed")
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--matrix", cmd->matrix,
                  "exp:c,v (c v^|i-j|), alg:c,v (c / (|i-j|^v + 1)) or a Matrix Market .mtx file")
      ->capture_default_str();
  sub->add_option("--precision", cmd->precision, "fp32, or fp16 (tensor cores, CUDA workers only)")
      ->check(CLI::IsMember({"fp32", "fp16"}))
      ->capture_default_str();
  sub->add_option("--ncuda", cmd->ncuda, "CUDA workers (default: one per GPU)");
  sub->add_option("--repeat", cmd->repeat, "run the graph this many times on the same tiles")
      ->check(CLI::PositiveNumber);
  sub->add_flag("--check", cmd->check,
                "compare with OpenBLAS sgemm and dgemm (timed, one thread per CPU worker)");
  sub->add_flag("--dense-gpu-baseline", cmd->dense_gpu,
                "compare with cuBLAS sgemm and FP16 gemmEx on GPU 0");
  sub->add_option("--simulate", cmd->simulate,
                  "simulate on this platform (built-in name or JSON) instead of running");
  sub->add_option("--policies", cmd->policies,
                  "with --simulate: policies to compare, comma-separated")
      ->capture_default_str();
  sub->add_flag("--sim-cpus", cmd->sim_cpus,
                "with --simulate: let CPU workers take SpAMM tasks too");
  sub->callback([cmd] {
    if (cmd->simulate.empty()) {
      run(*cmd);
    } else {
      simulate(*cmd);
    }
  });
}

}  // namespace tessera::cli
