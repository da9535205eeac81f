// SpAMM's CUDA codelets on a real GPU against the CPU ones: the same selection, products that
// agree to FP32 (and to FP16 inputs' precision on tensor cores). Skipped without a GPU.

#include <gtest/gtest.h>

#include <optional>
#include <random>

#include <spamm/dense.hpp>
#include <spamm/spamm.hpp>
#include <tessera/codelets/spamm/dense_gpu.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

using codelets::spamm::Precision;

std::optional<Runtime> gpu_runtime(int ncpu) {
  try {
    return std::optional<Runtime>(std::in_place, testing::test_config("dmdas", ncpu).with_ncuda(1));
  } catch (const InvalidArgument&) {
    return std::nullopt;
  }
}

std::vector<float> decaying(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  std::vector<float> a(n * n);
  for (std::size_t j = 0; j < n; ++j) {
    for (std::size_t i = 0; i < n; ++i) {
      a[i + j * n] =
          static_cast<float>(u(gen) / (1.0 + 0.05 * static_cast<double>(i > j ? i - j : j - i)));
    }
  }
  return a;
}

struct Case {
  std::size_t n, tile;
  double rate;
};

TEST(CudaSpamm, GpuAgreesWithCpu) {
  if (!codelets::spamm::has_cuda()) GTEST_SKIP() << "no GPU here (or a build without CUDA)";
  // 80 tiles per side at tile 16: more than one kernel batch (64) of candidates per C tile;
  // 200 at tile 64: partial edge tiles.
  for (const Case& c : {Case{1280, 16, 1.0}, Case{200, 64, 0.6}, Case{1024, 128, 0.3}}) {
    const auto a = decaying(c.n, 1), b = decaying(c.n, 2);
    spamm::SpammOptions o;
    o.tile = c.tile;
    o.valid_rate = c.rate;
    std::vector<float> on_cpu(c.n * c.n), on_gpu(c.n * c.n, -1.0f);
    spamm::SpammResult cpu_result, gpu_result;
    {
      Runtime rt(testing::test_config("lws", 2));
      cpu_result = spamm::multiply(rt, a.data(), b.data(), on_cpu.data(), c.n, o);
    }
    {
      std::optional<Runtime> rt = gpu_runtime(0);
      if (!rt) GTEST_SKIP() << "no CUDA worker";
      gpu_result = spamm::multiply(*rt, a.data(), b.data(), on_gpu.data(), c.n, o);
    }
    // Norms are summed in double in a different order on the GPU: equal to an ulp or so.
    EXPECT_NEAR(cpu_result.tau, gpu_result.tau, 1e-6 * cpu_result.tau) << "norms differ";
    EXPECT_EQ(cpu_result.computed, gpu_result.computed);
    EXPECT_LT(spamm::relative_error(on_gpu.data(), on_cpu.data(), on_cpu.size()), 1e-5)
        << "n " << c.n << " tile " << c.tile;
    if (c.tile % 16 == 0 && c.n % 16 == 0) {
      o.precision = Precision::fp16;
      std::vector<float> half(c.n * c.n, -1.0f);
      std::optional<Runtime> rt = gpu_runtime(0);
      spamm::multiply(*rt, a.data(), b.data(), half.data(), c.n, o);
      EXPECT_LT(spamm::relative_error(half.data(), on_cpu.data(), on_cpu.size()), 5e-3)
          << "tensor cores, n " << c.n << " tile " << c.tile;
    }
  }
}

TEST(CudaSpamm, GpuAndCpuWorkersTogether) {
  std::optional<Runtime> rt = gpu_runtime(2);
  if (!rt) GTEST_SKIP() << "no GPU here";
  const std::size_t n = 1024;
  const auto a = decaying(n, 3);
  spamm::SpammOptions o;
  o.tile = 128;
  o.valid_rate = 0.5;
  std::vector<float> c(n * n), ref(n * n);
  spamm::multiply(*rt, a.data(), a.data(), c.data(), n, o, 2);
  Runtime cpu(testing::test_config("lws", 2));
  spamm::multiply(cpu, a.data(), a.data(), ref.data(), n, o);
  EXPECT_LT(spamm::relative_error(c.data(), ref.data(), c.size()), 1e-5);
}

TEST(CudaSpamm, DenseGpuBaselineMatchesOpenBlas) {
  if (!codelets::spamm::has_cuda()) GTEST_SKIP() << "no GPU here (or a build without CUDA)";
  const std::size_t n = 512;
  const auto a = decaying(n, 4);
  std::vector<float> gpu(n * n), cpu(n * n), half(n * n);
  codelets::spamm::dense_gpu_gemm(a.data(), a.data(), gpu.data(), n, Precision::fp32, 1);
  codelets::spamm::dense_gpu_gemm(a.data(), a.data(), half.data(), n, Precision::fp16, 1);
  spamm::dense_sgemm(a.data(), a.data(), cpu.data(), n, 1);
  EXPECT_LT(spamm::relative_error(gpu.data(), cpu.data(), cpu.size()), 1e-5);
  EXPECT_LT(spamm::relative_error(half.data(), cpu.data(), cpu.size()), 5e-3);
}

}  // namespace
}  // namespace tessera
