// INSPIRIT's attributes against brute force, the ability estimator's error bound, the phase
// controller on scripted ready-task series, and the policy itself.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <queue>
#include <random>
#include <set>

#include "inspirit/attributes.hpp"
#include "inspirit/phase.hpp"
#include "test_support.hpp"

namespace tessera {
namespace {

using inspirit::Attributes;
using inspirit::Phase;
using inspirit::PhaseController;

struct RandomDag {
  std::vector<std::vector<Attributes::Node>> preds;
  std::vector<double> weight;
};

RandomDag random_dag(std::uint32_t n, double edge_probability, int window, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> unit(0, 1);
  RandomDag dag;
  dag.preds.resize(n);
  for (std::uint32_t v = 0; v < n; ++v) {
    dag.weight.push_back(1.0 + 9.0 * unit(rng));
    const std::uint32_t from = v > static_cast<std::uint32_t>(window) ? v - static_cast<std::uint32_t>(window) : 0;
    for (std::uint32_t u = from; u < v; ++u) {
      if (unit(rng) < edge_probability) dag.preds[v].push_back(u);
    }
  }
  return dag;
}

std::vector<std::vector<std::uint32_t>> successors(const RandomDag& dag) {
  std::vector<std::vector<std::uint32_t>> succ(dag.preds.size());
  for (std::uint32_t v = 0; v < dag.preds.size(); ++v) {
    for (auto u : dag.preds[v]) succ[u].push_back(v);
  }
  return succ;
}

// Brute force: descendants by DFS; efficiency by Dijkstra down the graph.
std::size_t descendants(const std::vector<std::vector<std::uint32_t>>& succ, std::uint32_t v) {
  std::set<std::uint32_t> seen;
  std::vector<std::uint32_t> stack(succ[v].begin(), succ[v].end());
  while (!stack.empty()) {
    const auto u = stack.back();
    stack.pop_back();
    if (!seen.insert(u).second) continue;
    for (auto w : succ[u]) stack.push_back(w);
  }
  return seen.size();
}

std::size_t within_horizon(const RandomDag& dag, const std::vector<std::vector<std::uint32_t>>& succ, std::uint32_t v,
                           double horizon) {
  std::vector<double> dist(dag.preds.size(), INFINITY);
  std::priority_queue<std::pair<double, std::uint32_t>, std::vector<std::pair<double, std::uint32_t>>, std::greater<>> q;
  for (auto u : succ[v]) {
    if (dag.weight[u] < dist[u]) dist[u] = dag.weight[u], q.push({dist[u], u});
  }
  std::size_t count = 0;
  while (!q.empty()) {
    const auto [d, u] = q.top();
    q.pop();
    if (d > dist[u]) continue;
    if (d <= horizon) ++count;
    for (auto w : succ[u]) {
      if (d + dag.weight[w] < dist[w]) dist[w] = d + dag.weight[w], q.push({dist[w], w});
    }
  }
  return count;
}

double longest_tail(const RandomDag& dag, const std::vector<std::vector<std::uint32_t>>& succ, std::uint32_t v,
                    std::vector<double>& memo) {
  if (memo[v] >= 0) return memo[v];
  double best = 0;
  for (auto u : succ[v]) best = std::max(best, longest_tail(dag, succ, u, memo));
  return memo[v] = dag.weight[v] + best;
}

TEST(InspiritAttributes, MatchBruteForceOnSmallRandomDags) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const RandomDag dag = random_dag(60, 0.15, 12, seed);
    const double horizon = 12.0;
    Attributes attrs(Attributes::Options{256, horizon, 2.0});  // sketch larger than any count: exact
    for (std::uint32_t v = 0; v < dag.preds.size(); ++v) attrs.add(dag.preds[v], dag.weight[v]);
    const auto succ = successors(dag);
    std::vector<double> memo(dag.preds.size(), -1.0);
    for (std::uint32_t v = 0; v < dag.preds.size(); ++v) {
      ASSERT_TRUE(attrs.ability_is_exact(v));
      EXPECT_EQ(attrs.ability(v), static_cast<double>(descendants(succ, v))) << "seed " << seed << " node " << v;
      EXPECT_EQ(attrs.efficiency(v), within_horizon(dag, succ, v, horizon)) << "seed " << seed << " node " << v;
      EXPECT_NEAR(attrs.bottom_level(v), longest_tail(dag, succ, v, memo), 1e-3) << "seed " << seed << " node " << v;
    }
  }
}

TEST(InspiritAttributes, BottomLevelsReadBetweenAdditionsMatchBruteForce) {
  // Reads interleaved with additions settle only the additions since the last read: every
  // read must still see the exact longest tail of the graph added so far.
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const RandomDag dag = random_dag(80, 0.2, 10, seed);
    Attributes attrs(Attributes::Options{8, 5.0, 2.0, false});
    std::mt19937_64 rng(seed);
    for (std::uint32_t v = 0; v < dag.preds.size(); ++v) {
      attrs.add(dag.preds[v], dag.weight[v]);
      if (rng() % 3 != 0) continue;
      RandomDag prefix;
      prefix.preds.assign(dag.preds.begin(), dag.preds.begin() + v + 1);
      prefix.weight.assign(dag.weight.begin(), dag.weight.begin() + v + 1);
      const auto succ = successors(prefix);
      std::vector<double> memo(v + 1, -1.0);
      const std::uint32_t probe = static_cast<std::uint32_t>(rng() % (v + 1));
      EXPECT_NEAR(attrs.bottom_level(probe), longest_tail(prefix, succ, probe, memo), 1e-3)
          << "seed " << seed << " after " << v << " node " << probe;
    }
  }
}

TEST(InspiritAttributes, LongChainBottomLevelsAreExactAndCheap) {
  // 200,000 tasks in one chain, all added before the first read: one settling pass covers
  // them (the old per-addition walk took minutes here).
  constexpr std::uint32_t n = 200'000;
  Attributes attrs(Attributes::Options{8, 1.0, 2.0, false});
  EXPECT_DOUBLE_EQ(attrs.bottom_level(attrs.add({}, 1.0)), 1.0);
  for (std::uint32_t v = 1; v < n; ++v) {
    const Attributes::Node pred = v - 1;
    attrs.add(std::span<const Attributes::Node>(&pred, 1), 1.0);
  }
  EXPECT_DOUBLE_EQ(attrs.bottom_level(0), static_cast<double>(n));
  EXPECT_DOUBLE_EQ(attrs.bottom_level(n / 2), static_cast<double>(n - n / 2));
  EXPECT_DOUBLE_EQ(attrs.bottom_level(n - 1), 1.0);
}

TEST(InspiritAttributes, EstimatorStaysWithinItsDocumentedError) {
  // 3000 tasks, wide: many nodes have hundreds or thousands of descendants.
  const RandomDag dag = random_dag(3000, 0.01, 400, 7);
  const int k = 32;
  Attributes attrs(Attributes::Options{k, 10.0, 2.0});
  for (std::uint32_t v = 0; v < dag.preds.size(); ++v) attrs.add(dag.preds[v], dag.weight[v]);
  const auto succ = successors(dag);
  double squared = 0;
  std::size_t estimated = 0;
  for (std::uint32_t v = 0; v < dag.preds.size(); v += 7) {
    const double exact = static_cast<double>(descendants(succ, v));
    if (attrs.ability_is_exact(v)) {
      EXPECT_EQ(attrs.ability(v), exact);
      continue;
    }
    const double relative = (attrs.ability(v) - exact) / exact;
    squared += relative * relative;
    ++estimated;
    EXPECT_LT(std::abs(relative), 5.0 / std::sqrt(k - 2.0)) << "node " << v;  // a 5-sigma bound
  }
  ASSERT_GT(estimated, 100u);
  // The documented coefficient of variation: at most 1/sqrt(k-2) (about 0.18).
  EXPECT_LT(std::sqrt(squared / static_cast<double>(estimated)), 1.0 / std::sqrt(k - 2.0));
}

TEST(InspiritAttributes, FinishedTasksStopPropagation) {
  Attributes attrs;
  const Attributes::Node a = attrs.add({}, 1.0);
  const std::vector<Attributes::Node> after_a{a};
  const Attributes::Node b = attrs.add(after_a, 1.0);
  attrs.mark_finished(a);
  const std::vector<Attributes::Node> after_b{b};
  attrs.add(after_b, 1.0);
  EXPECT_EQ(attrs.ability(b), 1.0);
  EXPECT_EQ(attrs.ability(a), 1.0);  // frozen when it finished
  EXPECT_THROW(attrs.add(std::vector<Attributes::Node>{99}, 1.0), std::invalid_argument);
}

TEST(InspiritPhase, FollowsAScriptedReadyTaskSeries) {
  PhaseController c({.low = 4, .high = 10, .rise = 0.0, .smoothing = 0.5});
  EXPECT_EQ(c.observe(2), Phase::scarce);      // below low
  EXPECT_EQ(c.observe(12), Phase::plentiful);  // above high
  EXPECT_EQ(c.observe(11), Phase::plentiful);
  EXPECT_EQ(c.observe(9), Phase::scarce);      // in between and falling
  EXPECT_EQ(c.observe(8), Phase::scarce);
  EXPECT_EQ(c.observe(8.2), Phase::scarce);    // rising a little: the smoothed trend is still negative
  EXPECT_EQ(c.observe(9.5), Phase::plentiful); // trend turned positive
  EXPECT_EQ(c.observe(3), Phase::scarce);
  c.retune({.low = 1, .high = 2, .rise = 0.0, .smoothing = 0.5});
  EXPECT_EQ(c.observe(3), Phase::plentiful);
}

TEST(InspiritPolicy, RunsCholeskyShapedGraphsOnRealWorkers) {
  // The tile dependencies of a 6 x 6 tiled Cholesky with real (tiny) arithmetic per tile.
  Runtime rt(testing::test_config("inspirit", 2));
  const int n = 6;
  std::vector<double> tiles(static_cast<std::size_t>(n * n), 1.0);
  std::vector<VectorHandle> h;
  for (double& t : tiles) h.push_back(rt.register_vector(std::span(&t, 1)));
  Codelet update("update");
  update.cpu([](TaskContext& ctx) {
    double acc = 0;
    for (std::size_t b = 0; b + 1 < ctx.num_buffers(); ++b) acc += ctx.vector<double>(b)[0];
    ctx.vector<double>(ctx.num_buffers() - 1)[0] = 0.5 * ctx.vector<double>(ctx.num_buffers() - 1)[0] + 0.01 * acc;
  });
  auto at = [&](int i, int j) { return h[static_cast<std::size_t>(i * n + j)]; };
  for (int k = 0; k < n; ++k) {
    rt.submit(update, {{at(k, k), RW}});
    for (int m = k + 1; m < n; ++m) rt.submit(update, {{at(k, k), R}, {at(m, k), RW}});
    for (int j = k + 1; j < n; ++j) {
      for (int m = j; m < n; ++m) rt.submit(update, {{at(m, k), R}, {at(j, k), R}, {at(m, j), RW}});
    }
  }
  EXPECT_NO_THROW(rt.wait_all());
  for (auto& t : h) rt.unregister(t);
  for (double t : tiles) EXPECT_TRUE(std::isfinite(t));
}

// The planned start on real threads: once the models are calibrated, the first worker to ask
// for work makes a plan of the tasks known then; tasks submitted later are scheduled
// dynamically. Every run must compute what a sequential run computes.
TEST(InspiritPolicy, PlannedAndDynamicTasksMixOnRealWorkersAndKeepTheOrder) {
  for (const char* sched : {"inspirit", "inspirit:tolerance=0", "inspirit:tolerance=1e9"}) {
    SCOPED_TRACE(sched);
    Runtime rt(testing::test_config(sched, 2));
    const int n = 5;
    Codelet update("planned_update");
    update.cpu([](TaskContext& ctx) {
      double acc = 1;
      for (std::size_t b = 0; b + 1 < ctx.num_buffers(); ++b) acc += ctx.vector<double>(b)[0];
      double& out = ctx.vector<double>(ctx.num_buffers() - 1)[0];
      out = std::fmod(out * 1.5 + acc, 1000.0);  // order-sensitive
    });
    // Three runs: the first two calibrate the models (10 samples per footprint), the third
    // is planned.
    for (int run = 0; run < 3; ++run) {
      std::vector<double> tiles(static_cast<std::size_t>(n * n), 1.0), expected = tiles;
      std::vector<VectorHandle> h;
      for (double& t : tiles) h.push_back(rt.register_vector(std::span(&t, 1)));
      auto apply = [&](std::initializer_list<int> reads, int out) {
        double acc = 1;
        for (int r : reads) acc += expected[static_cast<std::size_t>(r)];
        double& o = expected[static_cast<std::size_t>(out)];
        o = std::fmod(o * 1.5 + acc, 1000.0);
      };
      for (int k = 0; k < n; ++k) {
        rt.submit(update, {{h[static_cast<std::size_t>(k * n + k)], RW}});
        apply({}, k * n + k);
        for (int m = k + 1; m < n; ++m) {
          rt.submit(update, {{h[static_cast<std::size_t>(k * n + k)], R},
                             {h[static_cast<std::size_t>(m * n + k)], RW}});
          apply({k * n + k}, m * n + k);
        }
        for (int j = k + 1; j < n; ++j) {
          for (int m = j; m < n; ++m) {
            rt.submit(update, {{h[static_cast<std::size_t>(m * n + k)], R},
                               {h[static_cast<std::size_t>(j * n + k)], R},
                               {h[static_cast<std::size_t>(m * n + j)], RW}});
            apply({m * n + k, j * n + k}, m * n + j);
          }
        }
      }
      ASSERT_NO_THROW(rt.wait_all());
      for (auto& t : h) rt.unregister(t);
      EXPECT_EQ(tiles, expected) << "run " << run;
    }
  }
}

TEST(InspiritPolicy, BadOptionsAreNamed) {
  EXPECT_THAT([] { Runtime rt(testing::test_config("inspirit:mode=fast")); },
              ::testing::ThrowsMessage<PolicyError>(::testing::HasSubstr("mode must be auto, ability or efficiency")));
  EXPECT_THAT([] { Runtime rt(testing::test_config("inspirit:sketch=1")); },
              ::testing::ThrowsMessage<PolicyError>(::testing::HasSubstr("sketch size")));
  EXPECT_THAT([] { Runtime rt(testing::test_config("inspirit:rounds=-1")); },
              ::testing::ThrowsMessage<PolicyError>(::testing::HasSubstr("rounds must be in [0, 1000] (got -1)")));
  EXPECT_THAT([] { Runtime rt(testing::test_config("inspirit:tolerance=-0.5")); },
              ::testing::ThrowsMessage<PolicyError>(::testing::HasSubstr("tolerance must be at least 0")));
  EXPECT_THAT([] { Runtime rt(testing::test_config("inspirit:planned=1")); },
              ::testing::ThrowsMessage<PolicyError>(::testing::HasSubstr("planned")));
}

}  // namespace
}  // namespace tessera
