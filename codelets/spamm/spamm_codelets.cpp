// The SpAMM codelets: names, implementations per architecture, flop counts, models.

#include <tessera/codelets/spamm/spamm_codelets.hpp>

#include <cblas.h>

#include <span>
#include <string>
#include <vector>

#include <tessera/error.hpp>
#include <tessera/perf_models.hpp>
#include <tessera/task_context.hpp>

#include "blas/tile_kernels_cuda.hpp"
#include "spamm/spamm_cuda.hpp"
#include "spamm/spamm_kernels_cpu.hpp"

namespace tessera::codelets::spamm {
namespace {

cpu::ConstTile const_tile(TaskContext& ctx, std::size_t i) {
  const MatrixView<float> m = ctx.matrix<float>(i);
  return {m.data, m.rows, m.cols, m.ld};
}

void cpu_norms(TaskContext& ctx) {
  std::span<float> out = ctx.vector<float>(0);
  if (out.size() + 1 != ctx.num_buffers()) {
    throw InvalidArgument("spamm tile norms: " + std::to_string(ctx.num_buffers() - 1) +
                          " tiles for " + std::to_string(out.size()) + " norms");
  }
  for (std::size_t q = 0; q < out.size(); ++q) out[q] = cpu::frobenius_norm(const_tile(ctx, 1 + q));
}

void cpu_product(TaskContext& ctx) {
  // A task's kernel runs on one core: the runtime is the parallelism (see codelets/blas).
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
  const float tau = ctx.arg<float>(0);
  const auto& ks = ctx.arg<std::vector<std::uint32_t>>(1);
  if (ctx.num_buffers() != 3 + 2 * ks.size()) {
    throw InvalidArgument("spamm product: " + std::to_string(ks.size()) + " candidate k but " +
                          std::to_string(ctx.num_buffers() - 3) +
                          " tile buffers (want two per candidate)");
  }
  std::vector<cpu::ConstTile> a, b;
  for (std::size_t q = 0; q < ks.size(); ++q) {
    a.push_back(const_tile(ctx, 3 + 2 * q));
    b.push_back(const_tile(ctx, 4 + 2 * q));
  }
  const MatrixView<float> c = ctx.matrix<float>(2);
  cpu::product(ctx.vector<float>(0), ctx.vector<float>(1), tau, ks, a, b,
               {c.data, c.rows, c.cols, c.ld});
}

// Flops of every candidate product: the selection happens inside the kernel, so this is an
// upper bound (exact when the application passes only the selected pairs, as apps/spamm does).
double product_flops(const TaskShape& s) {
  double flops = 0.0;
  for (std::size_t q = 3; q + 1 < s.layouts.size(); q += 2) {
    flops += 2.0 * static_cast<double>(s.layouts[q].rows) * static_cast<double>(s.layouts[q].cols) *
             static_cast<double>(s.layouts[q + 1].cols);
  }
  return flops;
}

Codelet make_norms() {
  Codelet c("spamm_norms");
  c.cpu(cpu_norms);
  if (auto gpu = cuda::norms_kernel()) c.cuda(std::move(gpu));
  c.model(HistoryModel::persistent("tessera_spamm_norms"));
  return c;
}

Codelet make_product(Precision p) {
  Codelet c(std::string("spamm_product_") + to_string(p));
  if (p == Precision::fp32) c.cpu(cpu_product);
  if (auto gpu = cuda::product_kernel(p)) c.cuda(std::move(gpu));
  c.flops(product_flops);
  c.model(HistoryModel::persistent(std::string("tessera_spamm_product_") + to_string(p)));
  return c;
}

}  // namespace

Precision parse_precision(const std::string& text) {
  if (text == "fp32") return Precision::fp32;
  if (text == "fp16") return Precision::fp16;
  throw InvalidArgument("unknown SpAMM precision '" + text + "' (known: fp32, fp16)");
}

const char* to_string(Precision precision) {
  return precision == Precision::fp32 ? "fp32" : "fp16";
}

const Codelet& tile_norms() {
  static const Codelet codelet = make_norms();
  return codelet;
}

const Codelet& tile_product(Precision precision) {
  static const Codelet fp32 = make_product(Precision::fp32);
  static const Codelet fp16 = make_product(Precision::fp16);
  return precision == Precision::fp32 ? fp32 : fp16;
}

bool has_cuda() {
  return blas::cuda::available();
}

}  // namespace tessera::codelets::spamm
