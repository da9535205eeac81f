// Data coherency across host memory and device memory nodes, on mock devices (host memory
// standing in for GPUs, so this runs anywhere): values follow the tasks wherever they run,
// stale replicas are never read, eviction under a tiny capacity keeps results right, and
// unregistration brings the final value home.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing.hpp"

#include <atomic>
#include <random>

#include <tessera/perf_models.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

std::unique_ptr<Runtime> mock_runtime(const std::string& sched, int mock_devices,
                                      long long device_bytes = 0) {
  Config c = testing::test_config(sched, 2);
  c.cuda_memory = device_bytes;
  return detail::mock_device_runtime(c, mock_devices);
}

// y = a * y + x (element-wise) on vectors of uint64, the same on either architecture;
// `device_only` leaves out the CPU implementation, so that devices surely take part.
Codelet affine(std::atomic<int>& on_device, bool device_only = false) {
  Codelet c(device_only ? "affine_device" : "affine");
  auto body = [](TaskContext& ctx) {
    auto x = ctx.vector<std::uint64_t>(0);
    auto y = ctx.vector<std::uint64_t>(1);
    const auto a = ctx.arg<std::uint64_t>(0);
    for (std::size_t i = 0; i < y.size(); ++i) y[i] = a * y[i] + x[i];
  };
  c.model(std::make_shared<HistoryModel>(c.name()));  // model-based policies calibrate both kinds
  if (!device_only) c.cpu(body);
  c.cuda([body, &on_device](TaskContext& ctx) {
    if (ctx.memory_node() == 0 || ctx.device() == nullptr)
      throw std::logic_error("device kernel on host memory");
    ++on_device;
    body(ctx);
  });
  return c;
}

class MockDevices : public ::testing::TestWithParam<std::string> {};

TEST_P(MockDevices, RandomProgramsMatchSequentialExecution) {
  constexpr int kHandles = 6, kElems = 32, kTasks = 600;
  std::mt19937_64 rng(99);
  std::vector<std::vector<std::uint64_t>> state(kHandles, std::vector<std::uint64_t>(kElems)),
      expected;
  for (int h = 0; h < kHandles; ++h) {
    for (int i = 0; i < kElems; ++i) state[h][i] = h * 100 + i;
  }
  expected = state;
  std::atomic<int> on_device{0};
  {
    const auto owned = mock_runtime(GetParam(), 2);
    Runtime& rt = *owned;
    std::vector<VectorHandle> handles;
    for (auto& v : state) handles.push_back(rt.register_vector(std::span(v)));
    const Codelet anywhere = affine(on_device);
    const Codelet device_only = affine(on_device, true);
    for (int t = 0; t < kTasks; ++t) {
      const Codelet& c = t % 3 == 0 ? device_only : anywhere;
      const int x = static_cast<int>(rng() % kHandles);
      int y = static_cast<int>(rng() % kHandles);
      if (y == x) y = (y + 1) % kHandles;
      const std::uint64_t a = static_cast<std::uint64_t>(rng() % 3) + 1;
      rt.submit(c, {{handles[x], R}, {handles[y], RW}}, a);
      for (int i = 0; i < kElems; ++i) expected[y][i] = a * expected[y][i] + expected[x][i];
    }
    rt.wait_all();
    for (auto& h : handles) rt.unregister(h);
  }
  EXPECT_EQ(state, expected);
  EXPECT_GT(on_device.load(), 0) << "no task ran on a device: the test would prove nothing";
}

INSTANTIATE_TEST_SUITE_P(Policies, MockDevices,
                         ::testing::Values("eager", "ws", "dmda", "inspirit", "random"),
                         testing::PolicyName{});

TEST(MockDevices, TinyDeviceMemoryEvictsAndStaysCorrect) {
  // Room for three 4 KiB vectors per device: every task evicts something.
  constexpr int kHandles = 12, kElems = 512;
  std::vector<std::vector<std::uint64_t>> state(kHandles, std::vector<std::uint64_t>(kElems, 1)),
      expected = state;
  std::atomic<int> on_device{0};
  {
    const auto owned = mock_runtime("eager", 2, 3 * kElems * 8);
    Runtime& rt = *owned;
    std::vector<VectorHandle> handles;
    for (auto& v : state) handles.push_back(rt.register_vector(std::span(v)));
    const Codelet c = affine(on_device, true);
    for (int round = 0; round < 20; ++round) {
      for (int h = 0; h < kHandles; ++h) {
        const int y = (h + 1) % kHandles;
        rt.submit(c, {{handles[h], R}, {handles[y], RW}}, std::uint64_t{2});
        for (int i = 0; i < kElems; ++i) expected[y][i] = 2 * expected[y][i] + expected[h][i];
      }
    }
    // Unsigned arithmetic wraps around identically wherever it runs.
    rt.wait_all();
  }  // shutdown brings every value home without unregister
  EXPECT_EQ(state, expected);
  EXPECT_EQ(on_device.load(), 20 * kHandles);
}

TEST(MockDevices, MatricesArePackedOnTheDeviceAndComeBackIntoTheirPadding) {
  constexpr std::size_t rows = 5, cols = 3, ld = 8;
  std::vector<double> m(ld * cols, -1.0);  // padding rows must keep -1
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t i = 0; i < rows; ++i) m[i + j * ld] = static_cast<double>(i + 10 * j);
  }
  const auto owned = mock_runtime("eager", 1);
  Runtime& rt = *owned;
  auto h = rt.register_matrix(m.data(), ld, rows, cols);
  std::atomic<bool> saw_packed{false};
  Codelet bump("bump");
  bump.cuda([&saw_packed](TaskContext& ctx) {
    auto a = ctx.matrix<double>(0);
    saw_packed = a.ld == a.rows;
    for (std::size_t j = 0; j < a.cols; ++j) {
      for (std::size_t i = 0; i < a.rows; ++i) a(i, j) += 1000.0;
    }
  });
  rt.submit(bump, {{h, RW}});
  rt.unregister(h);
  EXPECT_TRUE(saw_packed.load());
  for (std::size_t j = 0; j < cols; ++j) {
    for (std::size_t i = 0; i < ld; ++i) {
      EXPECT_EQ(m[i + j * ld], i < rows ? 1000.0 + static_cast<double>(i + 10 * j) : -1.0)
          << i << "," << j;
    }
  }
}

TEST(MockDevices, NoGpuIsAClearErrorWhenCudaWorkersAreRequested) {
  if (Runtime(testing::test_config("eager", 1)).workers().size() > 1)
    GTEST_SKIP() << "a GPU is present";
  try {
    Runtime rt(testing::test_config("eager", 1).with_ncuda(2));
    FAIL() << "no error";
  } catch (const InvalidArgument& e) {
    EXPECT_THAT(std::string(e.what()), ::testing::HasSubstr("2 CUDA workers requested, but"));
  }
}

}  // namespace
}  // namespace tessera
