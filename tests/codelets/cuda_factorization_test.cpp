// The CUDA tile kernels on a real GPU: residuals of Cholesky and LU (QR's kernels are
// CPU-only) on CUDA workers alone and on CUDA and CPU workers together, which moves tiles
// both ways. Skipped where there is no GPU; the mock-device tests cover the host-side
// logic everywhere.

#include <gtest/gtest.h>

#include <filesystem>

#include <linalg/factorization.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

using codelets::blas::Precision;
using linalg::Algorithm;

// A runtime with one CUDA worker and `ncpu` CPU workers, or nullopt without a GPU.
std::optional<Runtime> gpu_runtime(int ncpu, const std::string& sched) {
  try {
    return std::optional<Runtime>(std::in_place, testing::test_config(sched, ncpu).with_ncuda(1));
  } catch (const InvalidArgument&) {
    return std::nullopt;  // no GPU, or a build without CUDA
  }
}

struct GpuCase {
  int ncpu;
  std::string sched;
};
void PrintTo(const GpuCase& c, std::ostream* os) {
  *os << c.ncpu << " CPU workers, " << c.sched;
}

class CudaFactorizations : public ::testing::TestWithParam<GpuCase> {
 protected:
  static void SetUpTestSuite() {
    ::setenv("TESSERA_PERFMODEL_DIR",
             (std::filesystem::temp_directory_path() / "tessera-test-models").c_str(), 1);
  }
};

TEST_P(CudaFactorizations, ResidualIsSmall) {
  std::optional<Runtime> rt = gpu_runtime(GetParam().ncpu, GetParam().sched);
  if (!rt) GTEST_SKIP() << "no GPU here";
  for (Algorithm a : {Algorithm::cholesky, Algorithm::lu}) {
    for (Precision p : {Precision::d, Precision::s}) {
      for (auto [n, nb] : {std::pair<std::size_t, std::size_t>{1000, 256}, {512, 128}}) {
        linalg::FactorizationOptions o;
        o.algorithm = a;
        o.precision = p;
        o.n = n;
        o.nb = nb;
        o.check = true;
        const linalg::FactorizationResult r = linalg::factorize(*rt, o);
        EXPECT_TRUE(r.ok) << static_cast<int>(a) << " n " << n << ": residual " << r.residual;
      }
    }
  }
  std::uint64_t on_gpu = 0;
  for (const WorkerStats& s : rt->worker_stats()) {
    if (s.name.find("cuda") != std::string::npos) on_gpu += s.tasks;
  }
  EXPECT_GT(on_gpu, 0u);
}

INSTANTIATE_TEST_SUITE_P(Workers, CudaFactorizations,
                         ::testing::Values(GpuCase{0, "eager"}, GpuCase{2, "dmdas"},
                                           GpuCase{2, "inspirit"}),
                         [](const auto& info) {
                           return "cpu" + std::to_string(info.param.ncpu) + "_" + info.param.sched;
                         });

}  // namespace
}  // namespace tessera
