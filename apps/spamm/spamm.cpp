#include "spamm/spamm.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include <tessera/error.hpp>

namespace tessera::spamm {
namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// The tiles of one n x n matrix, registered in place (one handle per tile).
class TileGrid {
 public:
  TileGrid(Runtime& rt, const float* m, std::size_t n, std::size_t tile, const char* name)
      : rt_(rt), tiles_((n + tile - 1) / tile) {
    // The runtime only reads A and B (R accesses), so casting away const is safe.
    float* base = const_cast<float*>(m);
    for (std::size_t j = 0; j < tiles_; ++j) {
      for (std::size_t i = 0; i < tiles_; ++i) {
        const std::size_t rows = std::min(tile, n - i * tile), cols = std::min(tile, n - j * tile);
        handles_.push_back(rt.register_matrix(base + i * tile + j * tile * n, n, rows, cols));
        handles_.back().set_name(std::string(name) + "(" + std::to_string(i) + "," +
                                 std::to_string(j) + ")");
      }
    }
  }
  ~TileGrid() {
    // Unwinding from a failed run: the first error is the one to report, not a later one
    // from bringing data home (which would end the process from a destructor).
    try {
      unregister();
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
  }
  TileGrid(const TileGrid&) = delete;
  TileGrid& operator=(const TileGrid&) = delete;
  const MatrixHandle& at(std::size_t i, std::size_t j) const { return handles_[i + j * tiles_]; }
  void unregister() {
    for (auto& h : handles_) rt_.unregister(h);
    handles_.clear();
  }

 private:
  Runtime& rt_;
  std::size_t tiles_;
  std::vector<MatrixHandle> handles_;
};

// The norm vectors over `norms`' storage. Registered for one phase and unregistered after
// it, which brings the values home from wherever the norm tasks ran.
class NormVectors {
 public:
  NormVectors(Runtime& rt, TileNorms& norms) : rt_(rt) {
    const std::size_t t = norms.tiles;
    for (std::size_t q = 0; q < t; ++q) {
      a_.push_back(rt.register_vector(std::span(norms.a).subspan(q * t, t)));
      a_.back().set_name("normA(" + std::to_string(q) + ")");
      b_.push_back(rt.register_vector(std::span(norms.b).subspan(q * t, t)));
      b_.back().set_name("normB(" + std::to_string(q) + ")");
    }
  }
  ~NormVectors() {
    // Unwinding from a failed run: the first error is the one to report, not a later one
    // from bringing data home (which would end the process from a destructor).
    try {
      unregister();
    } catch (...) {  // NOLINT(bugprone-empty-catch)
    }
  }
  NormVectors(const NormVectors&) = delete;
  NormVectors& operator=(const NormVectors&) = delete;
  const VectorHandle& row_of_a(std::size_t i) const { return a_[i]; }
  const VectorHandle& col_of_b(std::size_t j) const { return b_[j]; }
  void unregister() {
    for (auto& h : a_) rt_.unregister(h);
    for (auto& h : b_) rt_.unregister(h);
    a_.clear();
    b_.clear();
  }

 private:
  Runtime& rt_;
  std::vector<VectorHandle> a_, b_;
};

}  // namespace

double SpammResult::best_seconds() const {
  double best = 0.0;
  for (const SpammRun& r : runs) best = best == 0.0 ? r.seconds() : std::min(best, r.seconds());
  return best;
}

void validate(std::size_t n, const SpammOptions& o) {
  if (n == 0) throw InvalidArgument("spamm: --n must be positive");
  if (o.tile == 0) throw InvalidArgument("spamm: --tile must be positive");
  if (o.tile > n) {
    throw InvalidArgument("spamm: --tile " + std::to_string(o.tile) + " is larger than --n " +
                          std::to_string(n));
  }
  if (o.tau && !(*o.tau >= 0.0f)) {
    throw InvalidArgument("spamm: --tau must be a non-negative number, not " +
                          std::to_string(*o.tau));
  }
  if (!o.tau && !(o.valid_rate > 0.0 && o.valid_rate <= 1.0)) {
    throw InvalidArgument("spamm: --valid-rate " + std::to_string(o.valid_rate) +
                          " is not in (0, 1]");
  }
  if (o.precision == codelets::spamm::Precision::fp16 && (n % 16 != 0 || o.tile % 16 != 0)) {
    throw InvalidArgument(
        "spamm: --precision fp16 (tensor cores) needs --n and --tile multiples of 16");
  }
}

SpammResult multiply(Runtime& rt, const float* a, const float* b, float* c, std::size_t n,
                     const SpammOptions& o, int repeat,
                     const std::function<void(const SpammRun&)>& after_run) {
  validate(n, o);
  SpammResult result;
  result.n = n;
  result.tile = o.tile;
  result.tiles = (n + o.tile - 1) / o.tile;
  result.norms = TileNorms(result.tiles);
  result.total = result.norms.total();
  const std::size_t t = result.tiles;

  TileGrid ga(rt, a, n, o.tile, "A");
  std::optional<TileGrid> own_b;
  if (b != a) own_b.emplace(rt, b, n, o.tile, "B");
  const TileGrid& gb = own_b ? *own_b : ga;
  TileGrid gc(rt, c, n, o.tile, "C");
  const Codelet& norms = codelets::spamm::tile_norms();
  const Codelet& product = codelets::spamm::tile_product(o.precision);

  for (int run = 0; run < repeat; ++run) {
    SpammRun timing;
    Clock::time_point start = Clock::now();
    {
      NormVectors vectors(rt, result.norms);
      for (std::size_t q = 0; q < t; ++q) {
        TaskBuilder ta = rt.task(norms);
        ta.write(vectors.row_of_a(q)).name("norms A row " + std::to_string(q));
        for (std::size_t k = 0; k < t; ++k) ta.read(ga.at(q, k));
        ta.submit();
        TaskBuilder tb = rt.task(norms);
        tb.write(vectors.col_of_b(q)).name("norms B col " + std::to_string(q));
        for (std::size_t k = 0; k < t; ++k) tb.read(gb.at(k, q));
        tb.submit();
      }
      rt.wait_all();
    }  // the norms are home
    timing.norm_seconds = since(start);

    start = Clock::now();
    result.tau = o.tau ? *o.tau : tau_for_valid_rate(result.norms, o.valid_rate);
    std::vector<std::vector<std::uint32_t>> ks(t * t);
    result.computed = 0;
    for (std::size_t j = 0; j < t; ++j) {
      for (std::size_t i = 0; i < t; ++i) {
        ks[i + j * t] = selected_k(result.norms, i, j, result.tau);
        result.computed += ks[i + j * t].size();
      }
    }
    timing.select_seconds = since(start);

    start = Clock::now();
    {
      NormVectors vectors(rt, result.norms);
      for (std::size_t j = 0; j < t; ++j) {
        for (std::size_t i = 0; i < t; ++i) {
          std::vector<std::uint32_t>& sel = ks[i + j * t];
          TaskBuilder tp = rt.task(product);
          tp.read(vectors.row_of_a(i))
              .read(vectors.col_of_b(j))
              .write(gc.at(i, j))
              .priority(static_cast<int>(sel.size()))
              .name("C(" + std::to_string(i) + "," + std::to_string(j) + ")");
          for (std::uint32_t k : sel) tp.read(ga.at(i, k)).read(gb.at(k, j));
          tp.args(result.tau, std::move(sel)).submit();
        }
      }
      rt.wait_all();
      timing.product_seconds = since(start);
    }
    result.tasks = 2 * t + t * t;
    result.runs.push_back(timing);
    if (after_run) after_run(timing);
  }
  result.bound = skipped_bound(result.norms, result.tau);
  gc.unregister();
  return result;
}

}  // namespace tessera::spamm
