#include "linalg/factorization.hpp"
#include "linalg/tile_tasks.hpp"

#include <cblas.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <thread>
#include <vector>

#include <dags/dense_factorizations.hpp>
#include <tessera/error.hpp>
#include <tessera/memory_budget.hpp>

namespace tessera::linalg {
namespace {

using codelets::blas::Precision;

// The matrix and its tiles, registered with the runtime.
template <class T>
class TiledMatrix {
 public:
  TiledMatrix(Runtime& rt, std::vector<T>& a, std::size_t n, std::size_t nb, bool with_t)
      : rt_(rt), n_(n), nb_(nb), tiles_((n + nb - 1) / nb) {
    for (std::size_t j = 0; j < tiles_; ++j) {
      for (std::size_t i = 0; i < tiles_; ++i) {
        a_.push_back(rt.register_matrix(&a[i * nb + j * nb * n], n, extent(i), extent(j)));
        a_.back().set_name("A(" + std::to_string(i) + "," + std::to_string(j) + ")");
        if (with_t) {
          const std::size_t ib = std::max<std::size_t>(1, nb / 4);
          t_.push_back(rt.register_matrix<T>(nullptr, ib, ib, extent(j)));
        }
      }
    }
  }
  ~TiledMatrix() { unregister(); }
  // Brings every tile home (from device memory, if it is there).
  void unregister() {
    for (auto& h : a_) rt_.unregister(h);
    for (auto& h : t_) rt_.unregister(h);
    a_.clear();
    t_.clear();
  }
  TiledMatrix(const TiledMatrix&) = delete;
  TiledMatrix& operator=(const TiledMatrix&) = delete;

  std::size_t tiles() const { return tiles_; }
  const MatrixHandle& at(const dags::Tile& t) const {
    const std::size_t index =
        static_cast<std::size_t>(t.row) + static_cast<std::size_t>(t.col) * tiles_;
    return t.matrix == dags::Tile::T ? t_[index] : a_[index];
  }

 private:
  std::size_t extent(std::size_t i) const { return std::min(nb_, n_ - i * nb_); }
  Runtime& rt_;
  std::size_t n_, nb_, tiles_;
  std::vector<MatrixHandle> a_, t_;
};

// Turns the algorithm's tile tasks into runtime tasks on the tile codelets.
template <class T>
class RuntimeSink final : public dags::TileSink {
 public:
  RuntimeSink(Runtime& rt, const TiledMatrix<T>& m, Algorithm algorithm, Precision precision)
      : rt_(rt), m_(m), algorithm_(algorithm), precision_(precision) {}

  void task(const dags::TileKernel& kernel, std::initializer_list<dags::TileAccess> accesses,
            int priority, int k, int mm, int n) override {
    TaskBuilder b = rt_.task(tile_codelet(kernel, algorithm_, precision_));
    for (const dags::TileAccess& a : accesses) b.access(m_.at(a.tile), a.mode);
    b.name(tile_task_name(kernel, k, mm, n)).priority(priority).submit();
    ++tasks;
  }
  std::size_t tasks = 0;

 private:
  Runtime& rt_;
  const TiledMatrix<T>& m_;
  Algorithm algorithm_;
  Precision precision_;
};

template <class T>
void run_generated(Runtime& rt, const FactorizationOptions& o, int repeat,
                   const std::function<void(const FactorizationResult&)>& report) {
  const std::vector<T> input = generate_input<T>(o);
  std::vector<T> a(input.size());
  // Pinned once for all runs; factorize_in_place then finds it pinned already.
  const bool pinned = rt.pin_memory(a.data(), a.size() * sizeof(T));
  struct Unpin {
    Runtime& rt;
    void* ptr;
    bool active;
    ~Unpin() {
      if (active) rt.unpin_memory(ptr);
    }
  } unpin{rt, a.data(), pinned};
  for (int r = 0; r < repeat; ++r) {
    std::copy(input.begin(), input.end(), a.begin());
    FactorizationResult result = factorize_in_place(rt, o, a);
    if (o.check) {
      result.residual = scaled_residual(o, input, a);
      result.ok = result.residual < 100.0;
      result.residual_description =
          o.algorithm == Algorithm::cholesky ? "||A - L L^T|| / (||A|| n eps)"
          : o.algorithm == Algorithm::lu     ? "||A - L U|| / (||A|| n eps)"
                                             : "||A^T A - R^T R|| / (||A||^2 n eps)";
    }
    report(result);
  }
}

}  // namespace

namespace {
// Uniform in [-0.5, 0.5) from a hash of (seed, i, j): the same matrix whatever the number of
// threads that fill it, and fast enough to fill n = 32768 in a second.
double entry(std::uint64_t seed, std::size_t i, std::size_t j) {
  std::uint64_t z = seed * 0x9e3779b97f4a7c15ULL + (static_cast<std::uint64_t>(i) << 32 ^ j);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  z ^= z >> 31;
  return static_cast<double>(z >> 11) * 0x1.0p-53 - 0.5;
}
}  // namespace

template <class T>
std::vector<T> generate_input(const FactorizationOptions& o) {
  const std::size_t n = o.n;
  std::vector<T> a(n * n);
  const bool symmetric = o.algorithm == Algorithm::cholesky;
  auto fill_columns = [&](std::size_t first, std::size_t step) {
    for (std::size_t j = first; j < n; j += step) {
      for (std::size_t i = 0; i < n; ++i) {
        a[i + j * n] = static_cast<T>(symmetric ? entry(o.seed, std::max(i, j), std::min(i, j))
                                                : entry(o.seed, i, j));
      }
    }
  };
  const std::size_t threads = std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, 32);
  if (n < 1024 || threads == 1) {
    fill_columns(0, 1);
  } else {
    std::vector<std::jthread> pool;
    for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(fill_columns, t, threads);
  }
  if (o.algorithm != Algorithm::qr) {
    for (std::size_t i = 0; i < n; ++i) a[i + i * n] += static_cast<T>(n);  // diagonally dominant
  }
  if (o.indefinite_tile >= 0) {
    const std::size_t d = static_cast<std::size_t>(o.indefinite_tile) * o.nb;
    if (d < n) a[d + d * n] = static_cast<T>(-static_cast<double>(n));
  }
  return a;
}

namespace {
template <class T>
double frobenius(const std::vector<T>& m) {
  long double s = 0;
  for (T x : m) s += static_cast<long double>(x) * x;
  return static_cast<double>(std::sqrt(s));
}

}  // namespace

// ||A - L L^T|| / (||A|| n eps), ||A - L U|| / (||A|| n eps), or, for QR (whose Q stays
// implicit), ||A^T A - R^T R|| / (||A||^2 n eps).
template <class T>
double scaled_residual(const FactorizationOptions& o, const std::vector<T>& a0,
                       const std::vector<T>& f) {
  // The check's n^3 products use every core (the tile kernels set OpenBLAS back to one
  // thread when they next run).
  codelets::blas::set_blas_threads(
      static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  const std::size_t n = o.n;
  const int N = static_cast<int>(n);
  const double eps = std::numeric_limits<T>::epsilon();
  std::vector<T> r(n * n, T(0));
  auto gemm = [&](CBLAS_TRANSPOSE ta, CBLAS_TRANSPOSE tb, const T* x, const T* y, T* c) {
    if constexpr (std::is_same_v<T, double>) {
      cblas_dgemm(CblasColMajor, ta, tb, N, N, N, -1.0, x, N, y, N, 1.0, c, N);
    } else {
      cblas_sgemm(CblasColMajor, ta, tb, N, N, N, -1.0f, x, N, y, N, 1.0f, c, N);
    }
  };
  std::vector<T> left(n * n, T(0)), right(n * n, T(0));
  if (o.algorithm == Algorithm::cholesky) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = j; i < n; ++i) left[i + j * n] = f[i + j * n];
    }
    r = a0;
    gemm(CblasNoTrans, CblasTrans, left.data(), left.data(), r.data());
    return frobenius(r) / (frobenius(a0) * static_cast<double>(n) * eps);
  }
  if (o.algorithm == Algorithm::lu) {
    for (std::size_t j = 0; j < n; ++j) {
      for (std::size_t i = 0; i < n; ++i) {
        if (i > j) left[i + j * n] = f[i + j * n];
        if (i == j) left[i + j * n] = T(1);
        if (i <= j) right[i + j * n] = f[i + j * n];
      }
    }
    r = a0;
    gemm(CblasNoTrans, CblasNoTrans, left.data(), right.data(), r.data());
    return frobenius(r) / (frobenius(a0) * static_cast<double>(n) * eps);
  }
  // QR: A^T A - R^T R.
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i <= j; ++i) right[i + j * n] = f[i + j * n];
  }
  std::vector<T> g(n * n, T(0));
  {
    std::vector<T> minus(a0);
    for (T& x : minus) x = -x;
    gemm(CblasTrans, CblasNoTrans, minus.data(), a0.data(), g.data());  // g = A^T A
  }
  gemm(CblasTrans, CblasNoTrans, right.data(), right.data(), g.data());  // g -= R^T R
  const double norm = frobenius(a0);
  return frobenius(g) / (norm * norm * static_cast<double>(n) * eps);
}

template <class T>
FactorizationResult factorize_in_place(Runtime& rt, const FactorizationOptions& o,
                                       std::vector<T>& a) {
  validate(o);
  if (a.size() != o.n * o.n) {
    throw InvalidArgument("the matrix holds " + std::to_string(a.size()) +
                          " elements, not n*n = " + std::to_string(o.n * o.n));
  }
  FactorizationResult result;
  // Setting up is not timed: pinning the matrix for device transfers (as cuSOLVER users
  // allocate pinned memory) and registering its tiles. Timed: from the first submission to
  // the factor back in `a` (device replicas written back at unregistration).
  const bool pinned = rt.pin_memory(a.data(), a.size() * sizeof(T));
  try {
    TiledMatrix<T> m(rt, a, o.n, o.nb, o.algorithm == Algorithm::qr);
    result.tiles = m.tiles();
    const auto start = std::chrono::steady_clock::now();
    RuntimeSink<T> sink(rt, m, o.algorithm,
                        std::is_same_v<T, double> ? Precision::d : Precision::s);
    const int N = static_cast<int>(m.tiles());
    // A batch is resumed also when a submission throws: the runtime stays usable.
    struct BatchScope {
      Runtime& rt;
      bool open = false;
      void begin() {
        rt.pause();
        open = true;
      }
      void end() {
        open = false;
        rt.resume();
      }
      ~BatchScope() {
        if (open) rt.resume();
      }
    } batch{rt};
    if (o.batch) batch.begin();
    switch (o.algorithm) {
      case Algorithm::cholesky:
        dags::cholesky(N, sink);
        break;
      case Algorithm::lu:
        dags::lu(N, sink);
        break;
      case Algorithm::qr:
        dags::qr(N, sink);
        break;
    }
    result.tasks = sink.tasks;
    if (o.batch) batch.end();
    rt.wait_all();  // throws TaskFailed naming the tile that failed
    m.unregister();
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } catch (...) {
    if (pinned) rt.unpin_memory(a.data());
    throw;
  }
  if (pinned) rt.unpin_memory(a.data());
  result.gflops = flop_count(o.algorithm, static_cast<double>(o.n)) / result.seconds / 1e9;
  return result;
}

template std::vector<double> generate_input<double>(const FactorizationOptions&);
template std::vector<float> generate_input<float>(const FactorizationOptions&);
template double scaled_residual<double>(const FactorizationOptions&, const std::vector<double>&,
                                        const std::vector<double>&);
template double scaled_residual<float>(const FactorizationOptions&, const std::vector<float>&,
                                       const std::vector<float>&);
template FactorizationResult factorize_in_place<double>(Runtime&, const FactorizationOptions&,
                                                        std::vector<double>&);
template FactorizationResult factorize_in_place<float>(Runtime&, const FactorizationOptions&,
                                                       std::vector<float>&);

Algorithm parse_algorithm(const std::string& name) {
  if (name == "cholesky") return Algorithm::cholesky;
  if (name == "lu") return Algorithm::lu;
  if (name == "qr") return Algorithm::qr;
  throw InvalidArgument("unknown factorization '" + name + "' (use cholesky, lu or qr)");
}

void validate(const FactorizationOptions& o) {
  if (o.n == 0) throw InvalidArgument("--n must be positive");
  if (o.nb == 0) throw InvalidArgument("--nb must be positive");
  if (o.nb > o.n) {
    throw InvalidArgument("--nb " + std::to_string(o.nb) + " is larger than --n " +
                          std::to_string(o.n));
  }
  // The matrix, a copy of it to check the residual, and the tile layout's own copy.
  const double elem = o.precision == codelets::blas::Precision::d ? 8.0 : 4.0;
  const double n = static_cast<double>(o.n);
  require_memory(n * n * elem * (o.check ? 3.0 : 2.0),
                 "--n " + std::to_string(o.n) + " (" + (elem == 8.0 ? "double" : "single") +
                     " precision" + (o.check ? ", with --check" : "") + ")");
}

double flop_count(Algorithm a, double n) {
  switch (a) {
    case Algorithm::cholesky:
      return n * n * n / 3.0;
    case Algorithm::lu:
      return 2.0 * n * n * n / 3.0;
    case Algorithm::qr:
      return 4.0 * n * n * n / 3.0;
  }
  return 0;
}

void factorize_repeatedly(Runtime& rt, const FactorizationOptions& o, int repeat,
                          const std::function<void(const FactorizationResult&)>& report) {
  validate(o);
  if (repeat < 1)
    throw InvalidArgument("repeat = " + std::to_string(repeat) + " (must be at least 1)");
  if (o.precision == Precision::d) {
    run_generated<double>(rt, o, repeat, report);
  } else {
    run_generated<float>(rt, o, repeat, report);
  }
}

FactorizationResult factorize(Runtime& rt, const FactorizationOptions& o) {
  FactorizationResult result;
  factorize_repeatedly(rt, o, 1, [&](const FactorizationResult& r) { result = r; });
  return result;
}

}  // namespace tessera::linalg
