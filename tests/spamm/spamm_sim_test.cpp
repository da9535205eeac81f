// SpAMM's graph in the simulator, and cuSpAMM's static row split from the same costs.

#include <gtest/gtest.h>

#include <numeric>

#include <spamm/spamm_sim.hpp>

namespace tessera {
namespace {

TEST(SpammSim, GraphCostsFollowTheSelectionAndPoliciesBeatNothingImpossible) {
  const auto spec = spamm::MatrixSpec::parse("exp:1,0.5");
  const std::size_t n = 2048, tile = 128;
  const spamm::TileNorms norms = spamm::generated_norms(spec, n, tile);
  const float tau = 1e-6f;
  const Platform platform = Platform::builtin("idgraf");
  const spamm::SimCosts costs = spamm::sim_costs(platform, tile, false);
  const Dag dag = spamm::spamm_dag(norms, tau, tile, costs);
  ASSERT_EQ(dag.tasks.size(), 2 * 16 + 16 * 16u);
  double product_units = 0;
  for (const DagTask& t : dag.tasks) {
    if (t.type == "spamm_product") product_units += static_cast<double>(t.priority);
    EXPECT_EQ(t.cost_us.count("cpu"), 0u) << "GPU-only by default";
  }
  EXPECT_EQ(product_units, static_cast<double>(spamm::count_selected(norms, tau)));

  const spamm::RowSplit split = spamm::row_split(norms, tau, tile, costs, platform);
  ASSERT_EQ(split.gpu_busy_us.size(), 8u);
  const double total = std::accumulate(split.gpu_busy_us.begin(), split.gpu_busy_us.end(), 0.0);
  EXPECT_GE(split.makespan_us, total / 8);
  EXPECT_GT(split.with_transfers_us, split.makespan_us);
  for (const char* policy : {"dmda", "eager"}) {
    const SimResult r = simulate(dag, platform, SimOptions{}.with_sched(policy));
    EXPECT_EQ(r.tasks, dag.tasks.size());
    EXPECT_GE(r.makespan_us, r.bound.value_us() * (1 - 1e-9)) << policy;
  }
}

TEST(SpammSim, GeneratedNormsMatchTheMatrix) {
  const auto spec = spamm::MatrixSpec::parse("alg:0.1,0.7");
  std::size_t n = 100;
  const auto a = spamm::make_matrix(spec, n);
  const spamm::TileNorms direct = spamm::host_norms(a.data(), a.data(), n, 32);
  const spamm::TileNorms generated = spamm::generated_norms(spec, n, 32);
  ASSERT_EQ(direct.tiles, generated.tiles);
  for (std::size_t q = 0; q < direct.a.size(); ++q) {
    EXPECT_NEAR(direct.a[q], generated.a[q], 1e-6f * direct.a[q]);
    EXPECT_NEAR(direct.b[q], generated.b[q], 1e-6f * direct.b[q]);
  }
}

}  // namespace
}  // namespace tessera
