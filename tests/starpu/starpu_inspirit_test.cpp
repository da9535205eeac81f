// Tessera's INSPIRIT as a StarPU 1.3 policy: the StarPU Cholesky driver is right under it,
// random task flows complete with the sequential result, and a StarPU of another ABI is
// refused with both versions named.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <starpu.h>

#include <cstdlib>
#include <random>
#include <vector>

#include <tessera/starpu_inspirit.h>
#include <linalg/factorization.hpp>

#include "starpu_cholesky.hpp"

namespace tessera {
namespace {

peers::StarpuOptions inspirit_options() {
  ::setenv("STARPU_HOME", TESSERA_BINARY_DIR "/starpu-home", 1);
  peers::StarpuOptions o;
  o.policy = tessera_starpu_inspirit_policy();
  return o;
}

TEST(StarpuInspirit, CholeskyIsRightUnderThePolicy) {
  peers::StarpuSession session(inspirit_options());
  EXPECT_EQ(session.policy_name(), "tessera-inspirit");
  for (auto [n, nb] : {std::pair<std::size_t, std::size_t>{600, 128}, {1024, 128}, {256, 256}}) {
    linalg::FactorizationOptions o;
    o.n = n;
    o.nb = nb;
    const std::vector<double> input = linalg::generate_input<double>(o);
    for (int run = 0; run < 2; ++run) {  // the second with models calibrated further
      std::vector<double> a = input;
      peers::starpu_cholesky(session, a, n, nb);
      EXPECT_LT(linalg::scaled_residual(o, input, a), 10.0)
          << "n " << n << " nb " << nb << " run " << run;
    }
  }
}

// y = a * y + x on vectors of uint64 (wraps around identically in any order of runs).
void affine(void* buffers[], void* arg) {
  const auto* x = reinterpret_cast<const std::uint64_t*>(STARPU_VECTOR_GET_PTR(buffers[0]));
  auto* y = reinterpret_cast<std::uint64_t*>(STARPU_VECTOR_GET_PTR(buffers[1]));
  const std::uint64_t a = *static_cast<std::uint64_t*>(arg);
  for (unsigned i = 0; i < STARPU_VECTOR_GET_NX(buffers[1]); ++i) y[i] = a * y[i] + x[i];
}

TEST(StarpuInspirit, RandomTaskFlowsMatchSequentialExecution) {
  constexpr int kHandles = 8, kElems = 16, kTasks = 3000;
  peers::StarpuSession session(inspirit_options());
  starpu_perfmodel model{};
  model.type = STARPU_HISTORY_BASED;
  model.symbol = "tessera_test_affine";
  starpu_codelet with_model, without_model;
  for (starpu_codelet* c : {&with_model, &without_model}) {
    starpu_codelet_init(c);
    c->cpu_funcs[0] = affine;
    c->nbuffers = 2;
    c->modes[0] = STARPU_R;
    c->modes[1] = STARPU_RW;
  }
  with_model.model = &model;

  std::mt19937_64 rng(5);
  std::vector<std::vector<std::uint64_t>> state(kHandles, std::vector<std::uint64_t>(kElems)),
      expected;
  for (int h = 0; h < kHandles; ++h) {
    for (int i = 0; i < kElems; ++i) state[h][i] = static_cast<std::uint64_t>(h * 100 + i);
  }
  expected = state;
  std::vector<starpu_data_handle_t> handles(kHandles);
  for (int h = 0; h < kHandles; ++h) {
    starpu_vector_data_register(&handles[h], STARPU_MAIN_RAM,
                                reinterpret_cast<uintptr_t>(state[h].data()), kElems,
                                sizeof(std::uint64_t));
  }
  std::vector<std::uint64_t> factors(kTasks);
  for (int t = 0; t < kTasks; ++t) {
    const int x = static_cast<int>(rng() % kHandles);
    const int y = (x + 1 + static_cast<int>(rng() % (kHandles - 1))) % kHandles;
    factors[t] = rng() % 3 + 1;
    starpu_task* task = starpu_task_create();
    task->cl = t % 2 ? &with_model : &without_model;
    task->handles[0] = handles[x];
    task->handles[1] = handles[y];
    task->cl_arg = &factors[t];
    task->cl_arg_size = sizeof(std::uint64_t);
    task->priority = static_cast<int>(rng() % 5);
    ASSERT_EQ(starpu_task_submit(task), 0);
    for (int i = 0; i < kElems; ++i) expected[y][i] = factors[t] * expected[y][i] + expected[x][i];
  }
  starpu_task_wait_for_all();
  for (starpu_data_handle_t h : handles) starpu_data_unregister(h);
  EXPECT_EQ(state, expected);
}

TEST(StarpuInspirit, AnotherStarpuAbiIsRefusedNamingBothVersions) {
  EXPECT_EQ(tessera_starpu_inspirit_abi_error(STARPU_MAJOR_VERSION, STARPU_MINOR_VERSION, 0),
            nullptr);
  const char* error = tessera_starpu_inspirit_abi_error(1, 4, 2);
  ASSERT_NE(error, nullptr);
  EXPECT_THAT(error, ::testing::HasSubstr("StarPU 1.4.2"));
  EXPECT_THAT(error, ::testing::HasSubstr("built for StarPU 1.3."));
}

TEST(StarpuInspiritDeathTest, BadOptionsStopWithTheirName) {
  ::setenv("TESSERA_INSPIRIT_OPTIONS", "window=many", 1);
  EXPECT_DEATH({ peers::StarpuSession session(inspirit_options()); },
               "window='many' is not a number");
  ::unsetenv("TESSERA_INSPIRIT_OPTIONS");
}

}  // namespace
}  // namespace tessera
