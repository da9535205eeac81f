#include "spamm/spamm_sim.hpp"

#include <algorithm>
#include <cmath>
#include <thread>

#include <tessera/error.hpp>

namespace tessera::spamm {
namespace {

std::string id(const char* m, std::size_t i, std::size_t j) {
  return std::string(m) + "(" + std::to_string(i) + "," + std::to_string(j) + ")";
}

std::map<std::string, double> costs_of(double units, const SimCosts& c) {
  std::map<std::string, double> cost{{"cuda", units * c.cuda_tile_product_us}};
  if (c.cpu_tile_product_us > 0) cost["cpu"] = units * c.cpu_tile_product_us;
  return cost;
}

}  // namespace

TileNorms generated_norms(const MatrixSpec& spec, std::size_t n, std::size_t tile) {
  if (!spec.generated())
    throw InvalidArgument("generated_norms: '" + spec.describe() + "' is a file");
  std::vector<double> d2(n);  // squared value at each distance |i - j|
  for (std::size_t k = 0; k < n; ++k) {
    const double v = spec.at(k, 0);
    d2[k] = v * v;
  }
  TileNorms norms((n + tile - 1) / tile);
  const std::size_t t = norms.tiles;
  std::vector<double> sums(t * t);
  const unsigned threads = std::max(1u, std::min(16u, std::thread::hardware_concurrency()));
  {
    std::vector<std::jthread> pool;
    for (unsigned w = 0; w < threads; ++w) {
      pool.emplace_back([&, w] {
        for (std::size_t tj = w; tj < t; tj += threads) {
          for (std::size_t j = tj * tile; j < std::min(n, (tj + 1) * tile); ++j) {
            for (std::size_t ti = 0; ti < t; ++ti) {
              double s = 0.0;
              for (std::size_t i = ti * tile; i < std::min(n, (ti + 1) * tile); ++i) {
                s += d2[i > j ? i - j : j - i];
              }
              sums[ti + tj * t] += s;
            }
          }
        }
      });
    }
  }
  for (std::size_t i = 0; i < t; ++i) {
    for (std::size_t k = 0; k < t; ++k) {
      const auto v = static_cast<float>(std::sqrt(sums[i + k * t]));
      norms.a[i * t + k] = v;                                               // ||A_ik||
      norms.b[i * t + k] = static_cast<float>(std::sqrt(sums[k + i * t]));  // ||B_ki||, B = A
    }
  }
  return norms;
}

SimCosts sim_costs(const Platform& platform, std::size_t tile, bool use_cpus) {
  const CostEntry* gpu = platform.cost("gemm", "cuda");
  if (gpu == nullptr || platform.tile <= 0) {
    throw InvalidArgument("platform '" + platform.name +
                          "' has no single-precision 'gemm' cost on 'cuda' workers at a known "
                          "tile size: SpAMM's simulation needs one");
  }
  const double scale = std::pow(static_cast<double>(tile) / platform.tile, 3.0);
  SimCosts c;
  c.cuda_tile_product_us = gpu->mean_us * scale;
  if (use_cpus) {
    const CostEntry* cpu = platform.cost("gemm", "cpu");
    if (cpu == nullptr)
      throw InvalidArgument("platform '" + platform.name + "' has no 'gemm' cost on 'cpu'");
    c.cpu_tile_product_us = cpu->mean_us * scale;
  }
  return c;
}

Dag spamm_dag(const TileNorms& norms, float tau, std::size_t tile, const SimCosts& costs) {
  const std::size_t t = norms.tiles;
  const auto tile_bytes = static_cast<std::uint64_t>(tile * tile * sizeof(float));
  const double per_tile_norm = 1.0 / static_cast<double>(tile);
  Dag dag;
  dag.name = "spamm:" + std::to_string(t) + "x" + std::to_string(t);
  auto add = [&](std::string name, std::uint64_t bytes) {
    dag.data.push_back({std::move(name), bytes});
    return dag.data.size() - 1;
  };
  std::vector<std::size_t> a(t * t), c(t * t), na(t), nb(t);
  for (std::size_t j = 0; j < t; ++j) {
    for (std::size_t i = 0; i < t; ++i) {
      a[i + j * t] = add(id("A", i, j), tile_bytes);  // B = A: the same tiles
      c[i + j * t] = add(id("C", i, j), tile_bytes);
    }
  }
  for (std::size_t q = 0; q < t; ++q) {
    na[q] = add("normA(" + std::to_string(q) + ")", t * sizeof(float));
    nb[q] = add("normB(" + std::to_string(q) + ")", t * sizeof(float));
  }
  for (std::size_t q = 0; q < t; ++q) {
    for (int side = 0; side < 2; ++side) {
      DagTask task;
      task.id = (side == 0 ? "normsA" : "normsB") + std::to_string(q);
      task.type = "spamm_norms";
      task.cost_us = costs_of(per_tile_norm * static_cast<double>(t), costs);
      task.access.push_back({side == 0 ? na[q] : nb[q], Access::W});
      for (std::size_t k = 0; k < t; ++k) {
        task.access.push_back({side == 0 ? a[q + k * t] : a[k + q * t], Access::R});
      }
      dag.tasks.push_back(std::move(task));
    }
  }
  for (std::size_t j = 0; j < t; ++j) {
    for (std::size_t i = 0; i < t; ++i) {
      const std::vector<std::uint32_t> ks = selected_k(norms, i, j, tau);
      DagTask task;
      task.id = id("C", i, j);
      task.type = "spamm_product";
      task.priority = static_cast<int>(ks.size());
      task.flops = 2.0 * std::pow(static_cast<double>(tile), 3.0) * static_cast<double>(ks.size());
      task.cost_us = costs_of(ks.empty() ? per_tile_norm : static_cast<double>(ks.size()), costs);
      task.access = {{na[i], Access::R}, {nb[j], Access::R}, {c[i + j * t], Access::W}};
      for (std::uint32_t k : ks) {
        task.access.push_back({a[i + k * t], Access::R});
        if (a[k + j * t] != a[i + k * t]) task.access.push_back({a[k + j * t], Access::R});
      }
      dag.tasks.push_back(std::move(task));
    }
  }
  return dag;
}

RowSplit row_split(const TileNorms& norms, float tau, std::size_t tile, const SimCosts& costs,
                   const Platform& platform) {
  std::vector<int> gpu_nodes;
  for (const WorkerGroup& g : platform.workers) {
    if (g.arch == Arch::cuda)
      gpu_nodes.insert(gpu_nodes.end(), static_cast<std::size_t>(g.count), g.memory_node);
  }
  if (gpu_nodes.empty())
    throw InvalidArgument("platform '" + platform.name + "' has no GPU to split rows over");
  const std::size_t gpus = gpu_nodes.size(), t = norms.tiles;
  const double per_tile_norm = 1.0 / static_cast<double>(tile);
  const double tile_bytes = static_cast<double>(tile * tile * sizeof(float));
  auto copy_us = [&](int from, int to, double tiles) {
    const LinkSpec* link = platform.link(from, to);
    if (link == nullptr || link->bandwidth_MBps <= 0) return 0.0;
    return link->latency_us + tiles * tile_bytes / link->bandwidth_MBps;  // MB/s = bytes/us
  };
  RowSplit split;
  split.gpu_busy_us.assign(gpus, 0.0);
  for (std::size_t g = 0; g < gpus; ++g) {
    const std::size_t first = g * t / gpus, last = (g + 1) * t / gpus;
    const auto rows = static_cast<double>(last - first), all = static_cast<double>(t);
    double& busy = split.gpu_busy_us[g];
    busy += (rows + all) * all * per_tile_norm * costs.cuda_tile_product_us;  // its norms, B's
    for (std::size_t i = first; i < last; ++i) {
      for (std::size_t j = 0; j < t; ++j) {
        const double k = static_cast<double>(selected_k(norms, i, j, tau).size());
        busy += (k == 0 ? per_tile_norm : k) * costs.cuda_tile_product_us;
      }
    }
    const double moves =
        copy_us(0, gpu_nodes[g], rows * all + all * all) + copy_us(gpu_nodes[g], 0, rows * all);
    split.makespan_us = std::max(split.makespan_us, busy);
    split.with_transfers_us = std::max(split.with_transfers_us, busy + moves);
  }
  return split;
}

}  // namespace tessera::spamm
