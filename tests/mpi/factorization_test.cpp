// Distributed tiled Cholesky and LU: small residuals, the same factor as one rank computes,
// and exactly the messages that the 2D block-cyclic algorithm needs.

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include <linalg/distributed_factorization.hpp>
#include <tessera/tessera.hpp>

#include "mpi_test_support.hpp"

namespace tessera {
namespace {

std::vector<mpi::BlockCyclic2D> grids_for(int ranks) {
  std::vector<mpi::BlockCyclic2D> grids{{ranks, 1}, {1, ranks}};
  if (ranks == 4) grids.emplace_back(2, 2);
  return grids;
}

class DistributedFactorizationTest : public ::testing::TestWithParam<linalg::Algorithm> {};

TEST_P(DistributedFactorizationTest, MatchesOneRankAndTheBlockCyclicMessageCount) {
  Runtime rt(testing::rank_config("dmdas"));
  mpi::Context ctx(rt);
  linalg::FactorizationOptions o;
  o.algorithm = GetParam();
  o.n = 448;  // 7 x 7 tiles, the last one partial
  o.nb = 68;
  for (const mpi::BlockCyclic2D& grid : grids_for(ctx.size())) {
    SCOPED_TRACE("grid " + grid.to_string());
    const std::vector<double> input = linalg::generate_input<double>(o);
    std::vector<double> a = input;
    const linalg::DistributedFactorization d = linalg::factorize_distributed(ctx, o, grid, a);
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::uint64_t bytes = 0;
    for (const mpi::CommStats& s : d.comm) {
      sent += s.messages_sent;
      received += s.messages_received;
      bytes += s.bytes_sent;
    }
    EXPECT_EQ(sent, received);
    EXPECT_EQ(sent, d.model_messages);
    EXPECT_EQ(bytes, d.model_bytes);
    if (ctx.rank() != 0) continue;
    EXPECT_LT(linalg::scaled_residual(o, input, a), 100.0);
    std::vector<double> alone = input;
    Runtime single(testing::rank_config("dmdas"));
    linalg::factorize_in_place(single, o, alone);
    double worst = 0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - alone[i]));
    EXPECT_LE(worst, 1e-12) << "the distributed factor differs from the one-rank factor";
  }
}

INSTANTIATE_TEST_SUITE_P(Algorithms, DistributedFactorizationTest,
                         ::testing::Values(linalg::Algorithm::cholesky, linalg::Algorithm::lu),
                         [](const auto& info) {
                           return std::string(info.param == linalg::Algorithm::cholesky ? "cholesky"
                                                                                        : "lu");
                         });

TEST(DistributedFactorizationErrors, AGridThatDoesNotMatchTheRanksIsRejectedOnEveryRank) {
  Runtime rt(testing::rank_config());
  mpi::Context ctx(rt);
  linalg::FactorizationOptions o;
  o.n = 128;
  o.nb = 32;
  std::vector<double> a = linalg::generate_input<double>(o);
  try {
    linalg::factorize_distributed(ctx, o, mpi::BlockCyclic2D(ctx.size() + 1, 1), a);
    ADD_FAILURE() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_NE(std::string(e.what()).find("needs " + std::to_string(ctx.size() + 1) + " MPI ranks"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(mpi::BlockCyclic2D::parse("2by2"), InvalidArgument);
  EXPECT_THROW(mpi::BlockCyclic2D::parse("0x2"), InvalidArgument);
  EXPECT_EQ(mpi::BlockCyclic2D::parse("3x2").owner(4, 3), (4 % 3) * 2 + 3 % 2);
}

TEST(BlockCyclicModel, CholeskyVolumeFollowsTheClosedForm) {
  // T x T tiles on a P x Q grid, T large against P and Q: about
  // T^2 (P + Q - 2) / 2 + T (P - 1) messages (the edges of the trailing matrix make it less).
  const std::size_t tiles = 60;
  for (const mpi::BlockCyclic2D grid :
       {mpi::BlockCyclic2D(2, 3), mpi::BlockCyclic2D(4, 1), mpi::BlockCyclic2D(2, 2)}) {
    SCOPED_TRACE("grid " + grid.to_string());
    const auto count =
        linalg::block_cyclic_messages(linalg::Algorithm::cholesky, tiles * 10, 10, 8, grid);
    const double closed =
        0.5 * tiles * tiles * (grid.p() + grid.q() - 2) + tiles * (grid.p() - 1.0);
    EXPECT_NEAR(static_cast<double>(count.messages) / closed, 1.0, 0.1);
    EXPECT_EQ(count.bytes, count.messages * 10 * 10 * 8);
  }
  // With the same 4 ranks, the square grid moves less than the 1D one (docs/mpi.md).
  const auto square =
      linalg::block_cyclic_messages(linalg::Algorithm::cholesky, tiles * 10, 10, 8, {2, 2});
  const auto column =
      linalg::block_cyclic_messages(linalg::Algorithm::cholesky, tiles * 10, 10, 8, {4, 1});
  EXPECT_LT(static_cast<double>(square.messages), 0.75 * static_cast<double>(column.messages));
}

}  // namespace
}  // namespace tessera
