// The real tile kernels: every factorization, precision and a few policies at sizes that
// divide the tile size and sizes that do not, checked by their scaled residuals; bad input.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include <linalg/factorization.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

using codelets::blas::Precision;
using linalg::Algorithm;

struct Case {
  Algorithm algorithm;
  Precision precision;
  std::string sched;
};

std::string name_of(const ::testing::TestParamInfo<Case>& info) {
  const char* a[] = {"cholesky", "lu", "qr"};
  return std::string(a[static_cast<int>(info.param.algorithm)]) + (info.param.precision == Precision::d ? "_d_" : "_s_") +
         info.param.sched;
}

class Factorizations : public ::testing::TestWithParam<Case> {
 protected:
  static void SetUpTestSuite() {
    // Models of this test suite go to a scratch directory, not the user's cache.
    ::setenv("TESSERA_PERFMODEL_DIR", (std::filesystem::temp_directory_path() / "tessera-test-models").c_str(), 1);
  }
};

TEST_P(Factorizations, ResidualIsSmall) {
  const Case c = GetParam();
  Runtime rt(testing::test_config(c.sched, 2));
  for (auto [n, nb] : {std::pair<std::size_t, std::size_t>{256, 64}, {300, 64}, {97, 32}, {64, 64}}) {
    linalg::FactorizationOptions o;
    o.algorithm = c.algorithm;
    o.precision = c.precision;
    o.n = n;
    o.nb = nb;
    o.check = true;
    const linalg::FactorizationResult r = linalg::factorize(rt, o);
    EXPECT_TRUE(r.ok) << "n " << n << " nb " << nb << ": residual " << r.residual;
    EXPECT_GE(r.residual, 0.0);
    EXPECT_EQ(r.tiles, (n + nb - 1) / nb);
  }
}

std::vector<Case> cases() {
  std::vector<Case> out;
  for (Algorithm a : {Algorithm::cholesky, Algorithm::lu, Algorithm::qr}) {
    for (Precision p : {Precision::d, Precision::s}) {
      for (const char* s : {"lws", "dmdas", "inspirit"}) out.push_back({a, p, s});
    }
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(AllKernels, Factorizations, ::testing::ValuesIn(cases()), name_of);

TEST(FactorizationErrors, NonSpdInputNamesTheFailingTileAndStopsCleanly) {
  Runtime rt(testing::test_config("lws", 2));
  linalg::FactorizationOptions o;
  o.n = 256;
  o.nb = 64;
  o.indefinite_tile = 2;
  try {
    linalg::factorize(rt, o);
    FAIL() << "no error";
  } catch (const TaskFailed& e) {
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("task 'potrf(2)'"));
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("not positive definite"));
  }
  // The runtime is still usable.
  o.indefinite_tile = -1;
  o.check = true;
  EXPECT_TRUE(linalg::factorize(rt, o).ok);
}

TEST(FactorizationErrors, BadSizesAreNamed) {
  linalg::FactorizationOptions o;
  o.n = 0;
  EXPECT_THAT([&] { linalg::validate(o); }, ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("--n must be positive")));
  o.n = 100;
  o.nb = 0;
  EXPECT_THAT([&] { linalg::validate(o); }, ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("--nb must be positive")));
  o.nb = 101;
  EXPECT_THAT([&] { linalg::validate(o); }, ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("larger than --n")));
  EXPECT_THROW(linalg::parse_algorithm("svd"), InvalidArgument);
}

TEST(TileKernels, UnknownKernelIsNamed) {
  EXPECT_THAT([] { codelets::blas::kernel("trmm", Precision::d); },
              ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("no tile kernel 'trmm'")));
  EXPECT_TRUE(codelets::blas::kernel("gemm_nt", Precision::s).implements(Arch::cpu));
  EXPECT_FALSE(codelets::blas::kernel("geqrt", Precision::d).implements(Arch::cuda));  // QR: CPU only
}

}  // namespace
}  // namespace tessera
