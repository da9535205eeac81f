#include "platform/tessera_models.hpp"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include <tessera/error.hpp>
#include <tessera/perf_models.hpp>

#include "dags/tile_kernels.hpp"

namespace tessera::tools {
namespace {

// DAG task type -> codelet name (without the tessera_<precision> prefix).
struct TypeSource {
  const dags::TileKernel& kernel;
  const char* codelet;
};
const TypeSource kSources[] = {
    {dags::kPotrf, "potrf"},    {dags::kTrsm, "trsm"},   {dags::kSyrk, "syrk"},
    {dags::kGemm, "gemm_nt"},   {dags::kGetrf, "getrf"}, {dags::kTrsmLL, "trsm_ll"},
    {dags::kTrsmRU, "trsm_ru"}, {dags::kGeqrt, "geqrt"}, {dags::kUnmqr, "unmqr"},
    {dags::kTsqrt, "tsqrt"},    {dags::kTsmqr, "tsmqr"},
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

Platform platform_from_models(const ModelPlatformOptions& o) {
  if (o.ncpu < 1)
    throw InvalidArgument("ncpu = " + std::to_string(o.ncpu) + " (need at least one CPU worker)");
  if (o.tile < 1) throw InvalidArgument("tile = " + std::to_string(o.tile) + " (must be positive)");
  if (o.precision != 'd' && o.precision != 's') {
    throw InvalidArgument(std::string("precision '") + o.precision + "' (use d or s)");
  }
  const std::filesystem::path dir = o.model_dir.empty() ? HistoryModel::directory() : o.model_dir;
  const double elem = o.precision == 'd' ? 8.0 : 4.0;

  Platform p;
  p.name = o.name;
  p.description = "built from Tessera's calibrated models in " + dir.string();
  p.tile = o.tile;
  const long pages = ::sysconf(_SC_PHYS_PAGES), page = ::sysconf(_SC_PAGE_SIZE);
  const std::uint64_t host_bytes =
      pages > 0 && page > 0 ? static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page)
                            : (std::uint64_t{1} << 34);
  p.memory_nodes.push_back({0, MemoryKind::host, host_bytes});
  p.workers.push_back({Arch::cpu, o.ncpu, 0, "cpu"});
  if (o.gemm != "gemm_nt" && o.gemm != "gemm_nn") {
    throw InvalidArgument("gemm codelet '" + o.gemm + "' (use gemm_nt or gemm_nn)");
  }
  for (const TypeSource& source : kSources) {
    const std::string codelet =
        &source.kernel == &dags::kGemm ? o.gemm : std::string(source.codelet);
    const std::string model_name = std::string("tessera_") + o.precision + codelet;
    const std::filesystem::path file = dir / (model_name + ".json");
    if (!std::filesystem::exists(file)) continue;
    HistoryModel model(model_name);
    model.load_json(read_file(file), file.string());
    for (Arch arch : {Arch::cpu, Arch::cuda}) {
      const std::vector<HistoryEntry> history = model.history(arch);
      if (history.empty()) continue;
      // The QR kernels' T factors are b/4 x b: TileKernel::tiles counts them so.
      const double reference_bytes = source.kernel.tiles * o.tile * o.tile * elem;
      CostEntry cost;
      const HistoryEntry* nearest = nullptr;
      for (const HistoryEntry& e : history) {
        cost.by_size.push_back({e.size, e.mean_us, e.stddev_us(), e.count});
        if (nearest == nullptr || std::abs(std::log(e.size / reference_bytes)) <
                                      std::abs(std::log(nearest->size / reference_bytes))) {
          nearest = &e;
        }
      }
      cost.mean_us = nearest->mean_us;
      cost.stddev_us = nearest->stddev_us();
      if (std::abs(nearest->size - reference_bytes) > 0.5) {
        cost.derived_from = "no sample at tile " + std::to_string(o.tile) +
                            ": mean is the nearest size's (" +
                            std::to_string(static_cast<long long>(nearest->size)) + " bytes)";
      }
      p.task_costs[std::string(source.kernel.type)][std::string(to_string(arch))] = cost;
    }
  }
  if (p.task_costs.empty()) {
    throw InvalidArgument("no calibrated model tessera_" + std::string(1, o.precision) + "* in '" +
                          dir.string() + "' (run tessera cholesky/lu/qr there first)");
  }
  return p;
}

}  // namespace tessera::tools
