// The StarPU peer driver of the Cholesky benchmarks: it builds, factorizes correctly, and
// agrees with Tessera's own run on the same input to rounding (same tiles, same kernels,
// same task order; only the schedule differs, and Cholesky's tile updates commute only up
// to rounding).

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include <linalg/factorization.hpp>
#include <tessera/runtime.hpp>

#include "starpu_cholesky.hpp"
#include "test_support.hpp"

namespace tessera {
namespace {

class StarpuPeer : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override { ::setenv("STARPU_HOME", TESSERA_BINARY_DIR "/starpu-home", 1); }
};

TEST_P(StarpuPeer, AgreesWithTesseraOnTheSameMatrix) {
  linalg::FactorizationOptions o;
  o.n = 600;  // not a multiple of the tile size
  o.nb = 128;
  const std::vector<double> input = linalg::generate_input<double>(o);

  std::vector<double> ours = input;
  {
    Runtime rt(testing::test_config("lws", 2));
    linalg::factorize_in_place(rt, o, ours);
  }
  std::vector<double> theirs = input;
  peers::StarpuOptions so;
  so.sched = GetParam();
  peers::StarpuSession session(so);
  EXPECT_EQ(session.policy_name(), GetParam());
  EXPECT_EQ(session.worker_count(), 2u);
  const peers::StarpuRun run = peers::starpu_cholesky(session, theirs, o.n, o.nb);
  EXPECT_EQ(run.tasks, 35u);  // 5 tiles: 5 potrf + 10 trsm + 10 syrk + 10 gemm

  EXPECT_LT(linalg::scaled_residual(o, input, theirs), 10.0);
  double max_diff = 0, max_value = 0;
  for (std::size_t j = 0; j < o.n; ++j) {
    for (std::size_t i = j; i < o.n; ++i) {
      max_diff = std::max(max_diff, std::abs(ours[i + j * o.n] - theirs[i + j * o.n]));
      max_value = std::max(max_value, std::abs(ours[i + j * o.n]));
    }
  }
  EXPECT_LT(max_diff / max_value, 1e-13);
}

INSTANTIATE_TEST_SUITE_P(Policies, StarpuPeer, ::testing::Values("lws", "dmda", "eager"),
                         testing::PolicyName{});

TEST(StarpuPeerErrors, ANonSpdMatrixIsReportedNotAHang) {
  ::setenv("STARPU_HOME", TESSERA_BINARY_DIR "/starpu-home", 1);
  linalg::FactorizationOptions o;
  o.n = 256;
  o.nb = 64;
  o.indefinite_tile = 2;
  std::vector<double> a = linalg::generate_input<double>(o);
  peers::StarpuSession session({});
  EXPECT_THROW(peers::starpu_cholesky(session, a, o.n, o.nb), std::runtime_error);
  EXPECT_THROW(peers::starpu_cholesky(session, a, o.n, 0), std::invalid_argument);
}

}  // namespace
}  // namespace tessera
