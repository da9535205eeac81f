// Which products SpAMM computes: counting, the valid-rate bisection, the error bound.

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <spamm/selection.hpp>
#include <tessera/error.hpp>

namespace tessera {
namespace {

// Random positive norms: every norm product is distinct (almost surely).
spamm::TileNorms random_norms(std::size_t t, unsigned seed) {
  std::mt19937 gen(seed);
  std::lognormal_distribution<float> d(0.0f, 3.0f);
  spamm::TileNorms n(t);
  for (float& v : n.a) v = d(gen);
  for (float& v : n.b) v = d(gen);
  return n;
}

TEST(SpammSelection, BisectionHitsTheRequestedValidRate) {
  for (std::size_t t : {5u, 16u}) {
    const spamm::TileNorms norms = random_norms(t, static_cast<unsigned>(t));
    for (double rate : {0.01, 0.1, 0.37, 0.5, 0.9, 1.0}) {
      const float tau = spamm::tau_for_valid_rate(norms, rate);
      const auto target = static_cast<std::uint64_t>(std::ceil(rate * norms.total()));
      const std::uint64_t got = spamm::count_selected(norms, tau);
      // Distinct products: exactly the target count, i.e. within one tile product.
      EXPECT_EQ(got, target) << "t " << t << " rate " << rate;
      // And tau is the largest such value: one ulp more computes fewer.
      if (rate < 1.0) {
        EXPECT_LT(spamm::count_selected(norms, std::nextafter(tau, INFINITY)), target);
      }
    }
  }
}

TEST(SpammSelection, TiesMakeTheRateAtLeastTheRequestedOne) {
  spamm::TileNorms norms(4);
  std::fill(norms.a.begin(), norms.a.end(), 1.0f);
  std::fill(norms.b.begin(), norms.b.end(), 1.0f);
  const float tau = spamm::tau_for_valid_rate(norms, 0.25);
  EXPECT_EQ(spamm::count_selected(norms, tau), norms.total());
  EXPECT_THROW(spamm::tau_for_valid_rate(norms, 0.0), InvalidArgument);
  EXPECT_THROW(spamm::tau_for_valid_rate(norms, 1.01), InvalidArgument);
}

TEST(SpammSelection, BoundSumsTheSkippedProducts) {
  spamm::TileNorms norms(2);
  norms.a = {1, 2, 3, 4};  // row 0: ||A_00|| = 1, ||A_01|| = 2; row 1: 3, 4
  norms.b = {1, 1, 1, 1};
  // Products: (i=0) 1, 2; (i=1) 3, 4 for each j. tau = 2.5 skips 1 and 2 for both j.
  const spamm::ErrorBound b = spamm::skipped_bound(norms, 2.5f);
  EXPECT_DOUBLE_EQ(b.sum, 2 * (1 + 2));
  EXPECT_DOUBLE_EQ(b.frobenius, std::sqrt(2 * 9.0));
  EXPECT_EQ(spamm::count_selected(norms, 2.5f), 4u);
  EXPECT_EQ(spamm::selected_k(norms, 1, 0, 3.5f), (std::vector<std::uint32_t>{1}));
}

}  // namespace
}  // namespace tessera
