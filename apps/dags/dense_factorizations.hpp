#pragma once
// Tiled Cholesky, LU without pivoting, and QR (flat tree) on N x N tiles, written once as
// sequences of tile tasks. A TileSink receives them: DagBuilder turns them into a Dag for the
// simulator; the real-kernel drivers turn them into tasks on matrix tiles.
//
// Priorities are the classic critical-path scheme (Cholesky: POTRF 2N-2k, TRSM 2N-2k-m,
// SYRK/GEMM 2N-2k-m-n; LU and QR follow the same pattern on their panel, row/column and
// update kernels).

#include <string>
#include <vector>

#include <tessera/access.hpp>
#include <tessera/dag.hpp>

#include "dags/tile_kernels.hpp"

namespace tessera::dags {

// A tile of the matrix A, or of QR's auxiliary T factors.
struct Tile {
  enum Matrix : char { A = 'A', T = 'T' } matrix = A;
  int row = 0;
  int col = 0;
};

struct TileAccess {
  Tile tile;
  Access mode;
};

class TileSink {
 public:
  virtual ~TileSink() = default;
  // One task of `kernel` on tiles; (k, m, n) are its loop indices, -1 where unused.
  virtual void task(const TileKernel& kernel, std::initializer_list<TileAccess> accesses, int priority, int k,
                    int m, int n) = 0;
};

void cholesky(int tiles, TileSink& sink);
void lu(int tiles, TileSink& sink);
void qr(int tiles, TileSink& sink);

// Number of tasks each algorithm produces on N x N tiles.
std::size_t cholesky_task_count(int tiles);

// Collects the tasks of an algorithm into a Dag whose tiles are b x b elements of
// `elem_size` bytes (QR's T tiles b/4 x b).
class DagBuilder final : public TileSink {
 public:
  DagBuilder(std::string name, int tiles, int tile_size, int elem_size);
  void task(const TileKernel& kernel, std::initializer_list<TileAccess> accesses, int priority, int k, int m,
            int n) override;
  Dag take() { return std::move(dag_); }

 private:
  std::size_t data_of(const Tile& tile);
  Dag dag_;
  int tiles_;
  int tile_size_;
  int elem_size_;
  std::vector<long> index_;  // (matrix, row, col) -> data index + 1
};

}  // namespace tessera::dags
