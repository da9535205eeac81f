// Where a task may run: on_worker and on_arch are honoured by every policy, in real runs and
// in the simulator, and a task no worker can run is refused at submission, naming it.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <vector>

#include <tessera/platform.hpp>
#include <tessera/simulation.hpp>

#include "test_support.hpp"
#include "testing.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

class Restriction : public ::testing::TestWithParam<std::string> {};

TEST_P(Restriction, OnWorkerRunsOnlyThere) {
  Runtime rt(testing::test_config(GetParam(), 2));
  std::vector<long> cells(20, 0);
  std::vector<VectorHandle> handles;
  for (long& c : cells) handles.push_back(rt.register_vector(std::span(&c, 1)));
  std::atomic<int> elsewhere{0};
  Codelet where("where");
  where.cpu([&](TaskContext& ctx) {
    if (ctx.worker() != ctx.arg<int>(0)) ++elsewhere;
    ++ctx.vector<long>(0)[0];
  });
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 20; ++i) {
      const int worker = i % 2;
      rt.task(where).read_write(handles[i]).args(worker).on_worker(worker).submit();
    }
  }
  rt.wait_all();
  for (auto& h : handles) rt.unregister(h);
  EXPECT_EQ(elsewhere.load(), 0);
  for (long c : cells) EXPECT_EQ(c, 5);
}

TEST_P(Restriction, OnArchKeepsATaskOffTheDevices) {
  const auto owned = detail::mock_device_runtime(testing::test_config(GetParam(), 2), 1);
  Runtime& rt = *owned;
  std::atomic<int> on_cuda{0};
  std::vector<long> cells(16, 0);
  std::vector<VectorHandle> handles;
  for (long& c : cells) handles.push_back(rt.register_vector(std::span(&c, 1)));
  Codelet both("both");
  both.cpu([](TaskContext& ctx) { ++ctx.vector<long>(0)[0]; });
  both.cuda([&](TaskContext& ctx) {
    ++on_cuda;
    ++ctx.vector<long>(0)[0];
  });
  for (int i = 0; i < 64; ++i)
    rt.task(both).read_write(handles[i % 16]).on_arch(Arch::cpu).submit();
  rt.wait_all();
  for (auto& h : handles) rt.unregister(h);
  EXPECT_EQ(on_cuda.load(), 0);
  for (long c : cells) EXPECT_EQ(c, 4);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Restriction, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

TEST(RestrictionErrors, ATaskNoWorkerCanRunIsRefusedAtSubmission) {
  Runtime rt(testing::test_config("dmda", 2));
  Codelet cpu_only("cpu_only");
  cpu_only.cpu([](TaskContext&) {});
  EXPECT_THAT([&] { rt.task(cpu_only).name("lost").on_worker(7).submit(); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  HasSubstr("task 'lost': on_worker(7), but this runtime has workers 0 to 1")));
  EXPECT_THAT([&] { rt.task(cpu_only).name("gpu please").on_arch(Arch::cuda).submit(); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  HasSubstr("task 'gpu please': no worker of this runtime can run it")));
  EXPECT_THROW(rt.task(cpu_only).on_worker(-2), InvalidArgument);
  rt.wait_all();
}

TEST(RestrictionSimulated, EveryPolicyHonoursAWorkerNamedInTheDag) {
  const Platform platform = Platform::builtin("sirocco");
  Dag dag;
  dag.name = "pinned";
  dag.data.push_back({"a", 1 << 20});
  for (int i = 0; i < 40; ++i) {
    DagTask t;
    t.id = "t" + std::to_string(i);
    t.type = "gemm";
    t.cost_us = {{"*", 100.0}};
    t.access = {{0, Access::R}};
    if (i % 4 == 0) t.worker = 3;
    dag.tasks.push_back(t);
  }
  for (const std::string& policy : testing::all_policies()) {
    if (policy.rfind("test-", 0) == 0) continue;
    const SimResult r = simulate(dag, platform, SimOptions{}.with_sched(policy));
    for (const SimTaskRecord& rec : r.schedule) {
      if (rec.task % 4 == 0) {
        EXPECT_EQ(rec.worker, 3) << policy << ", task " << rec.task;
      }
    }
  }
  dag.tasks[1].worker = 10000;
  EXPECT_THAT([&] { simulate(dag, platform); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("task 't1': worker 10000")));
}

}  // namespace
}  // namespace tessera
