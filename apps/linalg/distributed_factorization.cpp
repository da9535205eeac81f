#include "linalg/distributed_factorization.hpp"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <type_traits>

#include <dags/dense_factorizations.hpp>
#include <tessera/error.hpp>

#include "linalg/tile_tasks.hpp"

namespace tessera::linalg {
namespace {

std::size_t extent(std::size_t n, std::size_t nb, std::size_t i) {
  return std::min(nb, n - i * nb);
}

// Submits the algorithm's tile tasks through the distributed context.
class DistributedSink final : public dags::TileSink {
 public:
  DistributedSink(mpi::Context& ctx, const std::vector<MatrixHandle>& tiles, std::size_t count,
                  Algorithm algorithm, codelets::blas::Precision precision)
      : ctx_(ctx), tiles_(tiles), count_(count), algorithm_(algorithm), precision_(precision) {}

  void task(const dags::TileKernel& kernel, std::initializer_list<dags::TileAccess> accesses,
            int priority, int k, int m, int n) override {
    mpi::DistTaskBuilder b = ctx_.task(tile_codelet(kernel, algorithm_, precision_));
    for (const dags::TileAccess& a : accesses) {
      b.access(tiles_[static_cast<std::size_t>(a.tile.row) +
                      static_cast<std::size_t>(a.tile.col) * count_],
               a.mode);
    }
    b.name(tile_task_name(kernel, k, m, n)).priority(priority).submit();
    ++tasks;
  }
  std::size_t tasks = 0;

 private:
  mpi::Context& ctx_;
  const std::vector<MatrixHandle>& tiles_;
  std::size_t count_;
  Algorithm algorithm_;
  codelets::blas::Precision precision_;
};

}  // namespace

void require_distributable(const FactorizationOptions& o) {
  validate(o);
  if (o.algorithm == Algorithm::qr)
    throw InvalidArgument("QR is not distributed yet: use cholesky or lu with --grid");
}

template <class T>
DistributedFactorization factorize_distributed(mpi::Context& ctx, const FactorizationOptions& o,
                                               const mpi::BlockCyclic2D& grid, std::vector<T>& a) {
  require_distributable(o);
  grid.require_ranks(ctx.size());
  if (a.size() != o.n * o.n) {
    throw InvalidArgument("the matrix holds " + std::to_string(a.size()) +
                          " elements, not n*n = " + std::to_string(o.n * o.n));
  }
  Runtime& rt = ctx.runtime();
  const std::size_t count = (o.n + o.nb - 1) / o.nb;
  // Rank 0 keeps every tile in `a` (it gathers the factor there); the other ranks use `a`
  // for the tiles they own and let the runtime allocate the copies they receive.
  std::vector<MatrixHandle> tiles;
  tiles.reserve(count * count);
  for (std::size_t j = 0; j < count; ++j) {
    for (std::size_t i = 0; i < count; ++i) {
      const int owner = grid.owner(static_cast<int>(i), static_cast<int>(j));
      const std::size_t rows = extent(o.n, o.nb, i);
      const std::size_t cols = extent(o.n, o.nb, j);
      MatrixHandle h = owner == ctx.rank() || ctx.rank() == 0
                           ? rt.register_matrix(&a[i * o.nb + j * o.nb * o.n], o.n, rows, cols)
                           : rt.register_matrix<T>(nullptr, rows, rows, cols);
      h.set_name("A(" + std::to_string(i) + "," + std::to_string(j) + ")");
      ctx.register_data(h, owner);
      tiles.push_back(std::move(h));
    }
  }
  DistributedFactorization out;
  out.result.tiles = count;
  ctx.wait_all();  // every rank registered: start the clock together
  ctx.reset_stats();
  const auto start = std::chrono::steady_clock::now();
  DistributedSink sink(
      ctx, tiles, count, o.algorithm,
      std::is_same_v<T, double> ? codelets::blas::Precision::d : codelets::blas::Precision::s);
  const int N = static_cast<int>(count);
  if (o.algorithm == Algorithm::cholesky) {
    dags::cholesky(N, sink);
  } else {
    dags::lu(N, sink);
  }
  ctx.wait_all();
  out.result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.result.tasks = sink.tasks;
  out.result.gflops = flop_count(o.algorithm, static_cast<double>(o.n)) / out.result.seconds / 1e9;
  out.comm = ctx.gather_stats();
  const MessageCount model = block_cyclic_messages(o.algorithm, o.n, o.nb, sizeof(T), grid);
  out.model_messages = model.messages;
  out.model_bytes = model.bytes;
  // Gather the factor on rank 0.
  for (const MatrixHandle& h : tiles) ctx.fetch(h, 0);
  ctx.wait_all();
  for (const MatrixHandle& h : tiles) rt.unregister(h);
  return out;
}

MessageCount block_cyclic_messages(Algorithm algorithm, std::size_t n, std::size_t nb,
                                   std::size_t elem_size, const mpi::BlockCyclic2D& grid) {
  const int N = static_cast<int>((n + nb - 1) / nb);
  MessageCount count;
  // One tile version read by the tasks that write `consumers`: one message per other rank.
  const auto send = [&](int row, int col, const std::set<int>& consumers) {
    const int owner = grid.owner(row, col);
    const auto others = consumers.size() - consumers.count(owner);
    count.messages += others;
    count.bytes += others * extent(n, nb, static_cast<std::size_t>(row)) *
                   extent(n, nb, static_cast<std::size_t>(col)) * elem_size;
  };
  for (int k = 0; k < N; ++k) {
    std::set<int> panel;
    for (int i = k + 1; i < N; ++i) panel.insert(grid.owner(i, k));
    if (algorithm == Algorithm::lu) {
      for (int j = k + 1; j < N; ++j) panel.insert(grid.owner(k, j));
    }
    send(k, k, panel);
    for (int i = k + 1; i < N; ++i) {
      std::set<int> users;  // of L(i,k)
      if (algorithm == Algorithm::cholesky) {
        for (int j = k + 1; j <= i; ++j) users.insert(grid.owner(i, j));  // row i: SYRK, GEMM
        for (int m = i + 1; m < N; ++m) users.insert(grid.owner(m, i));   // column i: GEMM
      } else {
        for (int j = k + 1; j < N; ++j) users.insert(grid.owner(i, j));  // row i of the update
      }
      send(i, k, users);
    }
    if (algorithm == Algorithm::lu) {
      for (int j = k + 1; j < N; ++j) {
        std::set<int> users;  // of U(k,j): column j of the update
        for (int m = k + 1; m < N; ++m) users.insert(grid.owner(m, j));
        send(k, j, users);
      }
    }
  }
  return count;
}

template DistributedFactorization factorize_distributed<double>(mpi::Context&,
                                                                const FactorizationOptions&,
                                                                const mpi::BlockCyclic2D&,
                                                                std::vector<double>&);
template DistributedFactorization factorize_distributed<float>(mpi::Context&,
                                                               const FactorizationOptions&,
                                                               const mpi::BlockCyclic2D&,
                                                               std::vector<float>&);

}  // namespace tessera::linalg
