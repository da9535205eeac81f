// Faults that StarPU's and Taskflow's suites cover: submission from several application
// threads at once (StarPU tests/main/multithreaded.c), runtimes created and shut down many
// times in one process (restart.c), and host allocations that fail in the data layer (a
// clear error, the runtime usable afterwards).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "test_support.hpp"
#include "testing.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

class FaultsUnderEveryPolicy : public ::testing::TestWithParam<std::string> {};

TEST_P(FaultsUnderEveryPolicy, SeveralThreadsSubmitAtOnce) {
  // Four application threads, each with its own counter and a shared one, submit at the
  // same time; every task runs once and the shared counter sees every increment.
  Runtime rt(testing::test_config(GetParam(), 2));
  constexpr int kThreads = 4;
  constexpr int kTasksPerThread = 500;
  std::vector<std::vector<long>> own(kThreads, std::vector<long>(1, 0));
  std::vector<long> shared(1, 0);
  std::vector<VectorHandle> handles;
  for (auto& v : own) handles.push_back(rt.register_vector(std::span(v)));
  const VectorHandle shared_handle = rt.register_vector(std::span(shared));
  const Codelet inc = testing::increment_codelet();
  std::atomic<int> started{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      ++started;
      while (started.load() < kThreads) std::this_thread::yield();
      for (int i = 0; i < kTasksPerThread; ++i) {
        rt.submit(inc, {{handles[static_cast<std::size_t>(t)], RW}});
        if (i % 5 == 0) rt.submit(inc, {{shared_handle, RW}});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  rt.wait_all();
  for (auto& h : handles) rt.unregister(h);
  rt.unregister(shared_handle);
  for (const auto& v : own) EXPECT_EQ(v[0], kTasksPerThread);
  EXPECT_EQ(shared[0], kThreads * kTasksPerThread / 5);
}

TEST_P(FaultsUnderEveryPolicy, RuntimesRestartManyTimesInOneProcess) {
  std::vector<long> counter(1, 0);
  const Codelet inc = testing::increment_codelet();
  for (int round = 0; round < 20; ++round) {
    Runtime rt(testing::test_config(GetParam(), 1 + round % 2));
    const VectorHandle h = rt.register_vector(std::span(counter));
    for (int i = 0; i < 10; ++i) rt.submit(inc, {{h, RW}});
    if (round % 3 == 0) continue;  // the destructor waits and unregisters
    rt.wait_all();
    rt.unregister(h);
  }
  EXPECT_EQ(counter[0], 200);
}

INSTANTIATE_TEST_SUITE_P(Faults, FaultsUnderEveryPolicy,
                         ::testing::ValuesIn(testing::all_policies()), testing::PolicyName{});

TEST(HostAllocation, StorageTheRuntimeCannotAllocateIsAnErrorAndTheRuntimeGoesOn) {
  Runtime rt(testing::test_config("eager"));
  detail::fail_next_host_allocations(1);
  try {
    rt.register_vector(nullptr, 1000, sizeof(double));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_THAT(std::string(e.what()),
                HasSubstr("cannot allocate 8000 bytes (8e-06 GB) of host memory for the storage"));
  }
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  // A real failure, not an injected one: far beyond any machine's memory. (Sanitizers end
  // the process on such a request instead of throwing std::bad_alloc.)
  EXPECT_THAT([&] { rt.register_vector(nullptr, std::size_t{1} << 60, 1); },
              ::testing::ThrowsMessage<Error>(HasSubstr("cannot allocate")));
#endif
  const VectorHandle h = rt.register_vector(nullptr, 1, sizeof(long));
  rt.submit(testing::increment_codelet(), {{h, RW}});
  rt.wait_all();
}

TEST(HostAllocation, ASizeThatOverflowsIsRefusedBeforeAllocating) {
  Runtime rt(testing::test_config("eager"));
  EXPECT_THAT([&] { rt.register_vector(nullptr, SIZE_MAX / 2, 8); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("do not fit in a size_t")));
  EXPECT_THAT([&] { rt.register_matrix(nullptr, SIZE_MAX / 4, SIZE_MAX / 4, 8, 8); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("register_matrix: ")));
}

TEST(HostAllocation, AScratchBufferThatCannotBeAllocatedFailsItsTaskOnly) {
  Runtime rt(testing::test_config("eager", 1));
  const VectorHandle scratch = rt.register_vector(nullptr, 1 << 16, sizeof(double));
  std::vector<long> counter(1, 0);
  const VectorHandle h = rt.register_vector(std::span(counter));
  Codelet uses_scratch("uses_scratch");
  uses_scratch.cpu([](TaskContext& ctx) { ctx.vector<double>(0)[0] = 1.0; });
  detail::fail_next_host_allocations(1);
  rt.submit(uses_scratch, {{scratch, SCRATCH}});
  EXPECT_THAT([&] { rt.wait_all(); },
              ::testing::ThrowsMessage<TaskFailed>(HasSubstr("cannot allocate")));
  // The worker survived: the same task runs now, and others too.
  rt.submit(uses_scratch, {{scratch, SCRATCH}});
  rt.submit(testing::increment_codelet(), {{h, RW}});
  rt.wait_all();
  rt.unregister(h);
  EXPECT_EQ(counter[0], 1);
}

}  // namespace
}  // namespace tessera
