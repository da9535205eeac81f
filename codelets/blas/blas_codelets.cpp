// The tile codelets: names, implementations per architecture, flop counts, models.

#include <tessera/codelets/blas/blas_codelets.hpp>

#include <cblas.h>

#include <map>
#include <mutex>
#include <string>

#include <tessera/error.hpp>
#include <tessera/perf_models.hpp>
#include <tessera/task_context.hpp>

#include <tessera/codelets/blas/tile_kernels_cpu.hpp>
#include "blas/tile_kernels_cuda.hpp"

namespace tessera::codelets::blas {
namespace {

using cpu::Tile;

template <class T>
Tile tile(TaskContext& ctx, std::size_t i) {
  const MatrixView<T> m = ctx.matrix<T>(i);
  return {m.data, m.rows, m.cols, m.ld};
}

double d(std::size_t v) {
  return static_cast<double>(v);
}

// Flop counts from the tiles' shapes (LAPACK Working Note 41 conventions, leading terms).
struct Kernel {
  const char* name;
  std::size_t buffers;
  double (*flops)(const TaskShape&);
};

const DataLayout& L(const TaskShape& s, std::size_t i) {
  return s.layouts[i];
}

const Kernel kKernels[] = {
    {"potrf", 1,
     [](const TaskShape& s) { return d(L(s, 0).rows) * d(L(s, 0).rows) * d(L(s, 0).rows) / 3; }},
    {"trsm", 2,
     [](const TaskShape& s) { return d(L(s, 1).rows) * d(L(s, 1).cols) * d(L(s, 1).cols); }},
    {"syrk", 2,
     [](const TaskShape& s) { return d(L(s, 1).rows) * d(L(s, 1).rows) * d(L(s, 0).cols); }},
    {"gemm_nt", 3,
     [](const TaskShape& s) { return 2 * d(L(s, 2).rows) * d(L(s, 2).cols) * d(L(s, 0).cols); }},
    {"getrf", 1,
     [](const TaskShape& s) {
       return 2 * d(L(s, 0).rows) * d(L(s, 0).rows) * d(L(s, 0).cols) / 3;
     }},
    {"trsm_ll", 2,
     [](const TaskShape& s) { return d(L(s, 1).rows) * d(L(s, 1).rows) * d(L(s, 1).cols); }},
    {"trsm_ru", 2,
     [](const TaskShape& s) { return d(L(s, 1).rows) * d(L(s, 1).cols) * d(L(s, 1).cols); }},
    {"gemm_nn", 3,
     [](const TaskShape& s) { return 2 * d(L(s, 2).rows) * d(L(s, 2).cols) * d(L(s, 0).cols); }},
    {"geqrt", 2,
     [](const TaskShape& s) {
       return 4 * d(L(s, 0).rows) * d(L(s, 0).cols) * d(L(s, 0).cols) / 3;
     }},
    {"unmqr", 3,
     [](const TaskShape& s) { return 2 * d(L(s, 2).rows) * d(L(s, 2).cols) * d(L(s, 0).cols); }},
    {"tsqrt", 3,
     [](const TaskShape& s) { return 2 * d(L(s, 1).rows) * d(L(s, 0).cols) * d(L(s, 0).cols); }},
    {"tsmqr", 4,
     [](const TaskShape& s) { return 4 * d(L(s, 1).rows) * d(L(s, 1).cols) * d(L(s, 2).cols); }},
};

template <class T>
tessera::Kernel cpu_kernel(std::string_view name) {
  if (name == "potrf") return [](TaskContext& c) { cpu::potrf<T>(tile<T>(c, 0)); };
  if (name == "trsm")
    return [](TaskContext& c) { cpu::trsm_cholesky<T>(tile<T>(c, 0), tile<T>(c, 1)); };
  if (name == "syrk") return [](TaskContext& c) { cpu::syrk<T>(tile<T>(c, 0), tile<T>(c, 1)); };
  if (name == "gemm_nt")
    return [](TaskContext& c) { cpu::gemm_nt<T>(tile<T>(c, 0), tile<T>(c, 1), tile<T>(c, 2)); };
  if (name == "getrf") return [](TaskContext& c) { cpu::getrf_nopiv<T>(tile<T>(c, 0)); };
  if (name == "trsm_ll")
    return [](TaskContext& c) { cpu::trsm_ll<T>(tile<T>(c, 0), tile<T>(c, 1)); };
  if (name == "trsm_ru")
    return [](TaskContext& c) { cpu::trsm_ru<T>(tile<T>(c, 0), tile<T>(c, 1)); };
  if (name == "gemm_nn")
    return [](TaskContext& c) { cpu::gemm_nn<T>(tile<T>(c, 0), tile<T>(c, 1), tile<T>(c, 2)); };
  if (name == "geqrt") return [](TaskContext& c) { cpu::geqrt<T>(tile<T>(c, 0), tile<T>(c, 1)); };
  if (name == "unmqr")
    return [](TaskContext& c) { cpu::unmqr<T>(tile<T>(c, 0), tile<T>(c, 1), tile<T>(c, 2)); };
  if (name == "tsqrt")
    return [](TaskContext& c) { cpu::tsqrt<T>(tile<T>(c, 0), tile<T>(c, 1), tile<T>(c, 2)); };
  return [](TaskContext& c) {
    cpu::tsmqr<T>(tile<T>(c, 0), tile<T>(c, 1), tile<T>(c, 2), tile<T>(c, 3));
  };
}

// A tile kernel runs on one core: the runtime is the parallelism. OpenBLAS's thread count is
// process-wide and an application may raise it between runs (to call a multithreaded
// routine itself); a kernel that then ran on OpenBLAS's thread pool would fight the other
// workers for the cores, at a third of the speed. So each kernel makes sure, for the price
// of reading a global.
tessera::Kernel single_threaded(tessera::Kernel kernel) {
  return [kernel = std::move(kernel)](TaskContext& c) {
    if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
    kernel(c);
  };
}

Codelet make(const Kernel& k, Precision p) {
  const std::string name = std::string(p == Precision::d ? "d" : "s") + k.name;
  Codelet c(name);
  c.cpu(
      single_threaded(p == Precision::d ? cpu_kernel<double>(k.name) : cpu_kernel<float>(k.name)));
  if (auto gpu = cuda::kernel(k.name, p == Precision::d)) c.cuda(std::move(gpu));
  c.flops(k.flops);
  c.model(HistoryModel::persistent("tessera_" + name));
  return c;
}

}  // namespace

const Codelet& kernel(std::string_view name, Precision precision) {
  static std::mutex mutex;
  static std::map<std::string, Codelet, std::less<>> codelets;
  std::lock_guard lock(mutex);
  const std::string key = std::string(precision == Precision::d ? "d" : "s") + std::string(name);
  auto it = codelets.find(key);
  if (it != codelets.end()) return it->second;
  for (const Kernel& k : kKernels) {
    if (name == k.name) {
      set_blas_threads(1);  // before the first tile kernel runs
      return codelets.emplace(key, make(k, precision)).first->second;
    }
  }
  std::string known;
  for (const Kernel& k : kKernels) known += (known.empty() ? "" : ", ") + std::string(k.name);
  throw InvalidArgument("no tile kernel '" + std::string(name) + "' (known: " + known + ")");
}

bool has_cuda() {
  return cuda::available();
}

void set_blas_threads(int threads) {
  openblas_set_num_threads(threads);
}

}  // namespace tessera::codelets::blas
