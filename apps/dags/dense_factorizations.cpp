#include "dags/dense_factorizations.hpp"

#include <tessera/error.hpp>

namespace tessera::dags {
namespace {

constexpr Access kR = Access::R;
constexpr Access kW = Access::W;
constexpr Access kRW = Access::RW;

Tile a(int row, int col) { return {Tile::A, row, col}; }
Tile t(int row, int col) { return {Tile::T, row, col}; }

}  // namespace

void cholesky(int N, TileSink& sink) {
  for (int k = 0; k < N; ++k) {
    sink.task(kPotrf, {{a(k, k), kRW}}, 2 * N - 2 * k, k, -1, -1);
    for (int m = k + 1; m < N; ++m) sink.task(kTrsm, {{a(k, k), kR}, {a(m, k), kRW}}, 2 * N - 2 * k - m, k, m, -1);
    for (int n = k + 1; n < N; ++n) {
      sink.task(kSyrk, {{a(n, k), kR}, {a(n, n), kRW}}, 2 * N - 2 * k - 2 * n, k, n, n);
      for (int m = n + 1; m < N; ++m) {
        sink.task(kGemm, {{a(m, k), kR}, {a(n, k), kR}, {a(m, n), kRW}}, 2 * N - 2 * k - m - n, k, m, n);
      }
    }
  }
}

void lu(int N, TileSink& sink) {
  for (int k = 0; k < N; ++k) {
    sink.task(kGetrf, {{a(k, k), kRW}}, 2 * N - 2 * k, k, -1, -1);
    for (int n = k + 1; n < N; ++n) sink.task(kTrsmLL, {{a(k, k), kR}, {a(k, n), kRW}}, 2 * N - 2 * k - n, k, -1, n);
    for (int m = k + 1; m < N; ++m) sink.task(kTrsmRU, {{a(k, k), kR}, {a(m, k), kRW}}, 2 * N - 2 * k - m, k, m, -1);
    for (int m = k + 1; m < N; ++m) {
      for (int n = k + 1; n < N; ++n) {
        sink.task(kGemm, {{a(m, k), kR}, {a(k, n), kR}, {a(m, n), kRW}}, 2 * N - 2 * k - m - n, k, m, n);
      }
    }
  }
}

void qr(int N, TileSink& sink) {
  for (int k = 0; k < N; ++k) {
    sink.task(kGeqrt, {{a(k, k), kRW}, {t(k, k), kW}}, 2 * N - 2 * k, k, -1, -1);
    for (int n = k + 1; n < N; ++n) {
      sink.task(kUnmqr, {{a(k, k), kR}, {t(k, k), kR}, {a(k, n), kRW}}, 2 * N - 2 * k - n, k, -1, n);
    }
    for (int m = k + 1; m < N; ++m) {
      sink.task(kTsqrt, {{a(k, k), kRW}, {a(m, k), kRW}, {t(m, k), kW}}, 2 * N - 2 * k - m, k, m, -1);
      for (int n = k + 1; n < N; ++n) {
        sink.task(kTsmqr, {{a(k, n), kRW}, {a(m, n), kRW}, {a(m, k), kR}, {t(m, k), kR}}, 2 * N - 2 * k - m - n, k,
                  m, n);
      }
    }
  }
}

std::size_t cholesky_task_count(int N) {
  const auto n = static_cast<std::size_t>(N);
  return n + n * (n - 1) + n * (n - 1) * (n - 2) / 6;
}

DagBuilder::DagBuilder(std::string name, int tiles, int tile_size, int elem_size)
    : tiles_(tiles), tile_size_(tile_size), elem_size_(elem_size) {
  if (tiles <= 0) throw InvalidArgument("the tile count must be positive (got " + std::to_string(tiles) + ")");
  if (tile_size <= 0) throw InvalidArgument("the tile size must be positive (got " + std::to_string(tile_size) + ")");
  dag_.name = std::move(name);
  index_.assign(2 * static_cast<std::size_t>(tiles) * static_cast<std::size_t>(tiles), 0);
}

std::size_t DagBuilder::data_of(const Tile& tile) {
  const std::size_t key = (tile.matrix == Tile::T ? static_cast<std::size_t>(tiles_) * tiles_ : 0) +
                          static_cast<std::size_t>(tile.row) * tiles_ + static_cast<std::size_t>(tile.col);
  if (index_[key] == 0) {
    const double b = tile_size_;
    const double rows = tile.matrix == Tile::T ? std::max(1, tile_size_ / 4) : b;
    dag_.data.push_back({std::string(1, static_cast<char>(tile.matrix)) + std::to_string(tile.row) + "_" +
                             std::to_string(tile.col),
                         static_cast<std::uint64_t>(rows * b * elem_size_)});
    index_[key] = static_cast<long>(dag_.data.size());
  }
  return static_cast<std::size_t>(index_[key] - 1);
}

void DagBuilder::task(const TileKernel& kernel, std::initializer_list<TileAccess> accesses, int priority, int k,
                      int m, int n) {
  DagTask task;
  task.type = std::string(kernel.type);
  task.id = task.type + "_" + std::to_string(k);
  if (m >= 0) task.id += "_" + std::to_string(m);
  if (n >= 0) task.id += "_" + std::to_string(n);
  task.flops = tile_flops(kernel, tile_size_);
  task.priority = priority;
  for (const TileAccess& a : accesses) task.access.push_back({data_of(a.tile), a.mode});
  dag_.tasks.push_back(std::move(task));
}

}  // namespace tessera::dags
