#include "spamm/matrix_source.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <thread>

#include <tessera/error.hpp>

#include "spamm/matrix_market.hpp"

namespace tessera::spamm {
namespace {

// Generated matrices are Toeplitz: one value per distance |i - j|, computed once.
std::vector<double> decay_by_distance(const MatrixSpec& spec, std::size_t n) {
  std::vector<double> d(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double x = static_cast<double>(k);
    d[k] = spec.kind == MatrixSpec::Kind::exponential ? spec.c * std::pow(spec.v, x)
                                                      : spec.c / (std::pow(x, spec.v) + 1.0);
  }
  return d;
}

}  // namespace

MatrixSpec MatrixSpec::parse(const std::string& text) {
  MatrixSpec spec;
  const bool exp = text.rfind("exp:", 0) == 0, alg = text.rfind("alg:", 0) == 0;
  if (exp || alg) {
    spec.kind = exp ? Kind::exponential : Kind::algebraic;
    double c = 0, v = 0;
    char tail = 0;
    if (std::sscanf(text.c_str() + 4, "%lf,%lf%c", &c, &v, &tail) != 2) {
      throw InvalidArgument("bad matrix '" + text + "': expected " + text.substr(0, 4) +
                            "c,v with two numbers");
    }
    if (!(v > 0) || !std::isfinite(c) || !std::isfinite(v)) {
      throw InvalidArgument("bad matrix '" + text + "': v must be positive and c, v finite");
    }
    spec.c = c;
    spec.v = v;
    return spec;
  }
  if (text.size() > 4 && text.substr(text.size() - 4) == ".mtx") {
    spec.kind = Kind::file;
    spec.path = text;
    return spec;
  }
  throw InvalidArgument("bad matrix '" + text + "': expected exp:c,v, alg:c,v or a .mtx file");
}

std::string MatrixSpec::describe() const {
  if (kind == Kind::file) return path;
  char text[96];
  std::snprintf(text, sizeof text, "%s:%g,%g", kind == Kind::exponential ? "exp" : "alg", c, v);
  return text;
}

double MatrixSpec::at(std::size_t i, std::size_t j) const {
  const double d = static_cast<double>(i > j ? i - j : j - i);
  return kind == Kind::exponential ? c * std::pow(v, d) : c / (std::pow(d, v) + 1.0);
}

std::vector<float> make_matrix(const MatrixSpec& spec, std::size_t& n) {
  if (spec.kind == MatrixSpec::Kind::file) {
    const DenseMatrix m = read_matrix_market(spec.path);
    if (m.rows != m.cols) {
      throw InvalidArgument("matrix file '" + spec.path + "' is " + std::to_string(m.rows) + " x " +
                            std::to_string(m.cols) + ": SpAMM needs a square matrix");
    }
    if (n != 0 && n != m.rows) {
      throw InvalidArgument("--n " + std::to_string(n) + " does not match the order " +
                            std::to_string(m.rows) + " of '" + spec.path + "'");
    }
    n = m.rows;
    return std::vector<float>(m.values.begin(), m.values.end());
  }
  if (n == 0) throw InvalidArgument("a generated matrix needs --n > 0");
  const std::vector<double> d = decay_by_distance(spec, n);
  std::vector<float> a(n * n);
  // Filled by column ranges on every core: at n = 32768 this is 4 GB of stores.
  const unsigned threads = std::max(1u, std::min(16u, std::thread::hardware_concurrency()));
  {
    std::vector<std::jthread> pool;  // joined at the end of this scope, before `a` is returned
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (std::size_t j = t; j < n; j += threads) {
          float* col = a.data() + j * n;
          for (std::size_t i = 0; i < n; ++i) col[i] = static_cast<float>(d[i > j ? i - j : j - i]);
        }
      });
    }
  }
  return a;
}

}  // namespace tessera::spamm
