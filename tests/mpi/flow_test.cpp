// The distributed sequential task flow: random programs over data owned by random ranks give
// the same values as running the program sequentially, and cached copies are reused until
// the owner writes a new version.

#include <gtest/gtest.h>

#include <random>
#include <span>
#include <string>
#include <vector>

#include <tessera/mpi/context.hpp>
#include <tessera/tessera.hpp>

#include "mpi_test_support.hpp"

namespace tessera {
namespace {

constexpr std::size_t kLength = 8;

// The kernel of every random task, and its sequential twin: the same operations in the same
// order, so the results match bit for bit.
double sum_of_reads(const std::vector<std::span<double>>& buffers,
                    const std::vector<Access>& modes) {
  double s = 0;
  for (std::size_t b = 0; b < buffers.size(); ++b) {
    if (!reads(modes[b])) continue;
    for (double x : buffers[b]) s += 0.5 * x;
  }
  return s;
}

void apply(const std::vector<std::span<double>>& buffers, const std::vector<Access>& modes,
           int id) {
  const double s = sum_of_reads(buffers, modes);
  for (std::size_t b = 0; b < buffers.size(); ++b) {
    if (!writes(modes[b])) continue;
    for (std::size_t i = 0; i < kLength; ++i) {
      double& x = buffers[b][i];
      x = reads(modes[b]) ? x * 0.75 + s * 1e-3 + id : s * 1e-3 + id + static_cast<double>(i);
    }
  }
}

Codelet mix_codelet() {
  Codelet mix("mix");
  mix.cpu([](TaskContext& ctx) {
    std::vector<std::span<double>> buffers;
    std::vector<Access> modes;
    for (std::size_t b = 0; b < ctx.num_buffers(); ++b) {
      buffers.push_back(ctx.vector<double>(b));
      modes.push_back(ctx.buffer(b).mode);
    }
    apply(buffers, modes, ctx.arg<int>(0));
  });
  return mix;
}

struct FlowCase {
  std::uint32_t seed;
  const char* sched;
};

class DistributedFlow : public ::testing::TestWithParam<FlowCase> {};

TEST_P(DistributedFlow, RandomProgramsMatchSequentialExecution) {
  Runtime rt(testing::rank_config(GetParam().sched));
  mpi::Context ctx(rt);
  std::mt19937 rng(GetParam().seed);  // the same program on every rank
  constexpr int kData = 12;
  constexpr int kTasks = 400;
  std::vector<std::vector<double>> values(kData), expected(kData);
  std::vector<VectorHandle> handles;
  for (int d = 0; d < kData; ++d) {
    values[d].resize(kLength);
    for (std::size_t i = 0; i < kLength; ++i) values[d][i] = d + 0.1 * static_cast<double>(i);
    expected[d] = values[d];
    handles.push_back(rt.register_vector(std::span(values[d])));
    handles.back().set_name("x" + std::to_string(d));
    ctx.register_data(handles.back(), static_cast<int>(rng() % static_cast<unsigned>(ctx.size())));
  }
  const Codelet mix = mix_codelet();
  for (int t = 0; t < kTasks; ++t) {
    const int count = 1 + static_cast<int>(rng() % 3);
    std::vector<int> chosen;
    while (static_cast<int>(chosen.size()) < count) {
      const int d = static_cast<int>(rng() % kData);
      if (std::find(chosen.begin(), chosen.end(), d) == chosen.end()) chosen.push_back(d);
    }
    std::vector<Access> modes;
    for (std::size_t i = 0; i < chosen.size(); ++i) {
      const unsigned r = rng() % 6;
      modes.push_back(r < 3 ? Access::R : r < 5 ? Access::RW : Access::W);
    }
    const bool elsewhere = rng() % 5 == 0;
    const int rank = static_cast<int>(rng() % static_cast<unsigned>(ctx.size()));
    mpi::DistTaskBuilder b = ctx.task(mix);
    for (std::size_t i = 0; i < chosen.size(); ++i)
      b.access(handles[static_cast<std::size_t>(chosen[i])], modes[i]);
    if (elsewhere) b.on_rank(rank);
    b.name("mix#" + std::to_string(t)).args(t).submit();
    std::vector<std::span<double>> spans;
    for (int d : chosen) spans.emplace_back(expected[static_cast<std::size_t>(d)]);
    apply(spans, modes, t);
  }
  for (const auto& h : handles) ctx.fetch(h, 0);
  ctx.wait_all();
  if (ctx.rank() == 0) {
    for (int d = 0; d < kData; ++d) EXPECT_EQ(values[d], expected[d]) << "datum x" << d;
  }
  for (const auto& h : handles) rt.unregister(h);
}

INSTANTIATE_TEST_SUITE_P(Seeds, DistributedFlow,
                         ::testing::Values(FlowCase{1, "eager"}, FlowCase{2, "dmdas"},
                                           FlowCase{3, "inspirit"}, FlowCase{4, "lws"}),
                         [](const auto& info) {
                           return "seed" + std::to_string(info.param.seed) + "_" + info.param.sched;
                         });

TEST(DistributedCache, ACopyIsReceivedOncePerVersion) {
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  if (ctx.size() < 2) {
    GTEST_SKIP() << "needs 2 ranks";
  }
  std::vector<double> x(kLength, 1.0), y(kLength, 0.0);
  auto hx = rt.register_vector(std::span(x));
  auto hy = rt.register_vector(std::span(y));
  ctx.register_data(hx, 0);
  ctx.register_data(hy, 1);
  Codelet accumulate("accumulate");
  accumulate.cpu([](TaskContext& c) {
    auto from = c.vector<double>(0);
    auto to = c.vector<double>(1);
    for (std::size_t i = 0; i < to.size(); ++i) to[i] += from[i];
  });
  Codelet scale("scale");
  scale.cpu([](TaskContext& c) {
    for (double& v : c.vector<double>(0)) v *= 2;
  });
  for (int i = 0; i < 5; ++i) ctx.task(accumulate).read(hx).read_write(hy).submit();  // on rank 1
  ctx.task(scale).read_write(hx).submit();                                            // on rank 0
  for (int i = 0; i < 5; ++i) ctx.task(accumulate).read(hx).read_write(hy).submit();
  ctx.fetch(hy, 0);
  ctx.wait_all();
  const mpi::CommStats s = ctx.stats();
  if (ctx.rank() == 1) {
    EXPECT_EQ(s.messages_received, 2u) << "x once per version";
    EXPECT_EQ(s.bytes_received, 2 * kLength * sizeof(double));
    EXPECT_EQ(s.messages_sent, 1u) << "y to rank 0";
  }
  if (ctx.rank() == 0) {
    EXPECT_EQ(y, std::vector<double>(kLength, 5 * 1.0 + 5 * 2.0));
  }
  rt.unregister(hx);
  rt.unregister(hy);
}

TEST(DistributedFlowErrors, BadInputIsRejectedLocallyWithoutCommunication) {
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  std::vector<double> x(4);
  auto hx = rt.register_vector(std::span(x));
  EXPECT_THROW(ctx.register_data(hx, ctx.size()), InvalidArgument);
  Codelet noop("noop");
  noop.cpu([](TaskContext&) {});
  EXPECT_THROW(ctx.task(noop).read(hx).submit(), InvalidArgument);  // not registered
  ctx.register_data(hx, 0);
  EXPECT_THROW(ctx.register_data(hx, 0), InvalidArgument);
  EXPECT_THROW(ctx.task(noop).read(hx).on_rank(-1), InvalidArgument);
  EXPECT_THROW(ctx.fetch(hx, ctx.size()), InvalidArgument);
  ctx.wait_all();
  rt.unregister(hx);
}

}  // namespace
}  // namespace tessera
