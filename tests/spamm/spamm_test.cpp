// SpAMM on CPU workers: the graph against a dense double-precision product.

#include <gtest/gtest.h>

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <random>

#include <spamm/dense.hpp>
#include <spamm/matrix_source.hpp>
#include <spamm/spamm.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

using spamm::SpammOptions;

class SpammEnv : public ::testing::Environment {
 public:
  void SetUp() override {
    ::setenv("TESSERA_PERFMODEL_DIR",
             (std::filesystem::temp_directory_path() / "tessera-test-models").c_str(), 1);
  }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new SpammEnv);

// A decaying matrix with random signs and jitter: its tile norms are all distinct.
std::vector<float> decaying(std::size_t n, double decay, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<float> a(n * n);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < n; ++i) {
      const double d = static_cast<double>(i > j ? i - j : j - i);
      a[i + j * n] = static_cast<float>(u(gen) * std::exp(-decay * d));
    }
  }
  return a;
}

std::vector<double> dense_product(const std::vector<float>& a, const std::vector<float>& b,
                                  std::size_t n) {
  const std::vector<double> ad = spamm::to_double(a), bd = spamm::to_double(b);
  std::vector<double> c(n * n);
  spamm::dense_dgemm(ad.data(), bd.data(), c.data(), n, 1);
  return c;
}

double frobenius(const std::vector<double>& m) {
  double s = 0;
  for (double v : m) s += v * v;
  return std::sqrt(s);
}

class SpammPolicies : public ::testing::TestWithParam<std::string> {};

TEST_P(SpammPolicies, TauZeroEqualsTheDenseProduct) {
  const std::size_t n = 200;  // 64-tiles with a partial edge tile
  const auto a = decaying(n, 0.05, 1), b = decaying(n, 0.02, 2);
  std::vector<float> c(n * n, std::numeric_limits<float>::quiet_NaN());
  SpammOptions o;
  o.tile = 64;
  o.tau = 0.0f;
  Runtime rt(testing::test_config(GetParam()));
  const spamm::SpammResult r = spamm::multiply(rt, a.data(), b.data(), c.data(), n, o);
  EXPECT_EQ(r.computed, r.total);
  EXPECT_EQ(r.total, 4u * 4u * 4u);
  EXPECT_LT(spamm::relative_error(c.data(), dense_product(a, b, n).data(), c.size()), 1e-6);
  EXPECT_EQ(r.bound.sum, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Spamm, SpammPolicies,
                         ::testing::Values("lws", "eager", "dmdas", "inspirit"),
                         testing::PolicyName());

TEST(Spamm, TauAboveEveryNormProductGivesZero) {
  const std::size_t n = 256;
  const auto a = decaying(n, 0.01, 3);
  std::vector<float> c(n * n, std::numeric_limits<float>::quiet_NaN());
  SpammOptions o;
  o.tile = 64;
  Runtime rt(testing::test_config("lws"));
  // The largest norm product is at most ||A||_F^2; above it nothing is computed.
  double sq = 0;
  for (float v : a) sq += static_cast<double>(v) * v;
  o.tau = static_cast<float>(2 * sq);
  const spamm::SpammResult r = spamm::multiply(rt, a.data(), a.data(), c.data(), n, o);
  EXPECT_EQ(r.computed, 0u);
  for (float v : c) ASSERT_EQ(v, 0.0f);
}

TEST(Spamm, ErrorNeverExceedsTheSkippedNormProducts) {
  const std::size_t n = 320;
  const auto a = decaying(n, 0.03, 4), b = decaying(n, 0.03, 5);
  const std::vector<double> exact = dense_product(a, b, n);
  const double scale = frobenius(exact);
  Runtime rt(testing::test_config("ws"));
  for (double rate : {0.15, 0.4, 0.7, 0.95}) {
    std::vector<float> c(n * n);
    SpammOptions o;
    o.tile = 32;
    o.valid_rate = rate;
    const spamm::SpammResult r = spamm::multiply(rt, a.data(), b.data(), c.data(), n, o);
    double diff = 0;
    for (std::size_t i = 0; i < c.size(); ++i) diff += std::pow(c[i] - exact[i], 2);
    const double error = std::sqrt(diff);
    // FP32 rounding of the computed products is the only extra error allowed.
    const double rounding = 1e-6 * scale;
    EXPECT_GT(error, rounding) << "rate " << rate << ": skipping changed nothing?";
    EXPECT_LE(error, r.bound.frobenius + rounding) << "rate " << rate;
    EXPECT_LE(r.bound.frobenius, r.bound.sum * (1 + 1e-12)) << "rate " << rate;
  }
}

TEST(Spamm, ProductCodeletSelectsAmongItsCandidates) {
  // All k are candidates: the kernel itself must skip those under tau.
  const std::size_t n = 96, tile = 32, t = 3;
  const auto a = decaying(n, 0.1, 6), b = decaying(n, 0.1, 7);
  const spamm::TileNorms norms = spamm::host_norms(a.data(), b.data(), n, tile);
  // tau = the median of the three norm products: the kernel must compute exactly two.
  std::vector<float> products;
  for (std::size_t k = 0; k < t; ++k) products.push_back(norms.norm_a(0, k) * norms.norm_b(k, 2));
  std::sort(products.begin(), products.end());
  const float tau = products[1];
  std::vector<float> c(tile * tile), na(norms.a.begin(), norms.a.begin() + t),
      nb(norms.b.begin() + 2 * t, norms.b.begin() + 3 * t);
  {
    Runtime rt(testing::test_config("lws"));
    auto hna = rt.register_vector(std::span(na)), hnb = rt.register_vector(std::span(nb));
    auto hc = rt.register_matrix(c.data(), tile, tile, tile);
    TaskBuilder task = rt.task(codelets::spamm::tile_product(codelets::spamm::Precision::fp32));
    task.read(hna).read(hnb).write(hc);
    std::vector<MatrixHandle> tiles;
    std::vector<std::uint32_t> ks;
    for (std::uint32_t k = 0; k < t; ++k) {
      tiles.push_back(
          rt.register_matrix(const_cast<float*>(a.data()) + k * tile * n, n, tile, tile));
      tiles.push_back(rt.register_matrix(const_cast<float*>(b.data()) + k * tile + 2 * tile * n, n,
                                         tile, tile));
      task.read(tiles[tiles.size() - 2]).read(tiles.back());
      ks.push_back(k);
    }
    task.args(tau, ks).submit();
    rt.wait_all();
  }
  std::vector<float> expected(tile * tile, 0.0f);
  int selected = 0;
  for (std::uint32_t k = 0; k < t; ++k) {
    if (!norms.selected(0, k, 2, tau)) continue;
    ++selected;
    cblas_sgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, tile, tile, tile, 1.0f,
                a.data() + k * tile * n, n, b.data() + k * tile + 2 * tile * n, n, 1.0f,
                expected.data(), tile);
  }
  ASSERT_EQ(selected, 2);
  EXPECT_LT(spamm::relative_error(c.data(), expected.data(), c.size()), 1e-6);
}

TEST(Spamm, GeneratedMatricesFollowTheirFormulas) {
  std::size_t n = 6;
  const auto e = spamm::make_matrix(spamm::MatrixSpec::parse("exp:2,0.5"), n);
  EXPECT_FLOAT_EQ(e[0], 2.0f);
  EXPECT_FLOAT_EQ(e[3 + 1 * n], 2.0f * 0.25f);
  EXPECT_FLOAT_EQ(e[1 + 3 * n], 2.0f * 0.25f);
  const auto g = spamm::make_matrix(spamm::MatrixSpec::parse("alg:0.1,2"), n);
  EXPECT_FLOAT_EQ(g[0], 0.1f);
  EXPECT_FLOAT_EQ(g[4 + 1 * n], static_cast<float>(0.1 / (9.0 + 1.0)));
  EXPECT_THROW(spamm::MatrixSpec::parse("exp:1"), InvalidArgument);
  EXPECT_THROW(spamm::MatrixSpec::parse("exp:1,0.1x"), InvalidArgument);
  EXPECT_THROW(spamm::MatrixSpec::parse("gauss:1,2"), InvalidArgument);
}

TEST(Spamm, BadOptionsAreNamed) {
  SpammOptions o;
  o.tile = 0;
  EXPECT_THROW(spamm::validate(100, o), InvalidArgument);
  o.tile = 200;
  EXPECT_THROW(spamm::validate(100, o), InvalidArgument);
  o.tile = 10;
  o.valid_rate = 1.5;
  EXPECT_THROW(spamm::validate(100, o), InvalidArgument);
  o.valid_rate = 0.5;
  o.precision = codelets::spamm::Precision::fp16;
  try {
    spamm::validate(100, o);
    FAIL() << "fp16 with tile 10 was accepted";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("multiples of 16"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace tessera
