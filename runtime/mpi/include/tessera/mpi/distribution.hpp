#pragma once
// Block-cyclic distributions: which rank owns tile (i, j) of a tiled matrix, as in
// ScaLAPACK. A 2D P x Q grid spreads both the panel and the trailing updates of a dense
// factorization over the ranks, and moves O(N^2 (P + Q)) tiles instead of O(N^2 P) for 1D.

#include <string>

namespace tessera::mpi {

// Tile rows go round-robin over `ranks` ranks: tile (i, *) belongs to rank i mod ranks.
class BlockCyclic1D {
 public:
  // Throws InvalidArgument unless ranks >= 1.
  explicit BlockCyclic1D(int ranks);
  int owner(int row) const noexcept { return row % ranks_; }
  int ranks() const noexcept { return ranks_; }

 private:
  int ranks_;
};

// Ranks form a P x Q grid in row-major order (rank = p * Q + q); tile (i, j) belongs to the
// rank at grid position (i mod P, j mod Q).
class BlockCyclic2D {
 public:
  // Throws InvalidArgument unless p, q >= 1.
  BlockCyclic2D(int p, int q);
  // Parses "PxQ" (e.g. "2x3"); throws InvalidArgument naming the text otherwise.
  static BlockCyclic2D parse(const std::string& grid);
  int owner(int row, int col) const noexcept { return (row % p_) * q_ + col % q_; }
  int p() const noexcept { return p_; }
  int q() const noexcept { return q_; }
  int ranks() const noexcept { return p_ * q_; }
  // Throws InvalidArgument when the grid does not use exactly `ranks` ranks.
  void require_ranks(int ranks) const;
  std::string to_string() const;

 private:
  int p_;
  int q_;
};

}  // namespace tessera::mpi
