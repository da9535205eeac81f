#pragma once
// Tiled Cholesky and LU over the ranks of an MPI job: the same task graph as the one-node
// drivers (apps/dags), submitted through tessera::mpi, with the tiles distributed 2D
// block-cyclically. Each tile task runs on the rank that owns the tile it writes.

#include <cstdint>
#include <vector>

#include <tessera/mpi/context.hpp>
#include <tessera/mpi/distribution.hpp>

#include "linalg/factorization.hpp"

namespace tessera::linalg {

struct DistributedFactorization {
  FactorizationResult result;        // seconds: first submission to the factor complete on
                                     // every rank (gathering it on rank 0 is not timed)
  std::vector<mpi::CommStats> comm;  // per rank, during the factorization
  std::uint64_t model_messages = 0;  // what the block-cyclic algorithm must move (below)
  std::uint64_t model_bytes = 0;
};

// Throws InvalidArgument when `o` cannot run distributed (bad sizes, or QR): call it before
// starting anything, so that a refused run prints nothing else.
void require_distributable(const FactorizationOptions& o);

// Factorizes the generated input of `o` (Cholesky or LU) on `grid` over the ranks of `ctx`;
// `a` (n*n, column-major) holds that input on every rank, and the factor on rank 0 after the
// call. With o.check, rank 0 computes the residual. Throws InvalidArgument for a grid that
// does not match the number of ranks, or for QR (not distributed).
template <class T>
DistributedFactorization factorize_distributed(mpi::Context& ctx, const FactorizationOptions& o,
                                               const mpi::BlockCyclic2D& grid, std::vector<T>& a);

// The tile messages the algorithm needs on `grid`, counted from its data flow: each tile
// version goes once to every other rank that owns a tile updated with it. Cholesky: the
// diagonal tile of step k goes to the owners of the panel below it (<= P - 1 ranks); each
// panel tile L(i,k) to the owners of row i and column i of the trailing matrix (<= P + Q - 2
// ranks) -- about T^2 (P + Q - 2) / 2 + T (P - 1) messages on T x T tiles. LU adds the row
// panel U(k,j), which goes down its column.
struct MessageCount {
  std::uint64_t messages = 0;
  std::uint64_t bytes = 0;
};
MessageCount block_cyclic_messages(Algorithm algorithm, std::size_t n, std::size_t nb,
                                   std::size_t elem_size, const mpi::BlockCyclic2D& grid);

}  // namespace tessera::linalg
