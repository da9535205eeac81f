// Objects as data: any C++ object carries dependencies and access modes, is reached by type
// from the task, is never copied to a device, and can hold an output whose size a task
// decides when it runs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "test_support.hpp"
#include "testing.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

class Objects : public ::testing::TestWithParam<std::string> {};

TEST_P(Objects, TasksSeeTheObjectInDependencyOrder) {
  auto log = std::make_shared<std::vector<int>>();
  std::vector<long> sizes(1, 0);
  Runtime rt(testing::test_config(GetParam(), 2));
  ObjectHandle<std::vector<int>> h = rt.register_object(log);
  auto hsize = rt.register_vector(std::span(sizes));
  // A variable-size output: each task appends as many values as its argument says.
  Codelet append("append");
  append.cpu([](TaskContext& ctx) {
    auto& out = ctx.object<std::vector<int>>(0);
    for (int i = 0; i < ctx.arg<int>(0); ++i) out.push_back(ctx.arg<int>(0));
  });
  Codelet measure("measure");
  measure.cpu([](TaskContext& ctx) {
    ctx.vector<long>(1)[0] = static_cast<long>(ctx.object<std::vector<int>>(0).size());
  });
  for (int n = 1; n <= 4; ++n) rt.submit(append, {{h, RW}}, n);
  rt.submit(measure, {{h, R}, {hsize, W}});
  rt.wait_all();
  rt.unregister(h);
  rt.unregister(hsize);
  EXPECT_EQ(sizes[0], 10);
  EXPECT_EQ(*log, (std::vector<int>{1, 2, 2, 3, 3, 3, 4, 4, 4, 4}));
  EXPECT_EQ(h.kind(), DataKind::object);
  EXPECT_EQ(h.bytes(), 0u);
}

INSTANTIATE_TEST_SUITE_P(AllPolicies, Objects, ::testing::ValuesIn(testing::all_policies()),
                         testing::PolicyName{});

TEST(ObjectErrors, TheWrongTypeNamesBothTypes) {
  Runtime rt(testing::test_config("eager", 1));
  auto h = rt.register_object(std::make_shared<std::vector<int>>());
  Codelet wrong("wrong");
  wrong.cpu([](TaskContext& ctx) { (void)ctx.object<std::string>(0); });
  TaskHandle t = rt.submit(wrong, {{h, R}});
  EXPECT_THROW(rt.wait_all(), TaskFailed);
  try {
    t.wait();
  } catch (const TaskFailed& e) {
    EXPECT_THAT(e.what(), HasSubstr("std::vector<int"));
    EXPECT_THAT(e.what(), HasSubstr("std::__cxx11::basic_string"));
  }
  Codelet not_object("not_object");
  std::vector<double> v(4);
  auto hv = rt.register_vector(std::span(v));
  not_object.cpu([](TaskContext& ctx) { (void)ctx.object<int>(0); });
  rt.submit(not_object, {{hv, R}});
  EXPECT_THAT([&] { rt.wait_all(); },
              ::testing::ThrowsMessage<TaskFailed>(HasSubstr("is a vector, not an object")));
  EXPECT_THROW(rt.register_object(std::shared_ptr<int>{}), InvalidArgument);
  Codelet scratch("scratch");
  scratch.cpu([](TaskContext&) {});
  EXPECT_THAT([&] { rt.task(scratch).scratch(h).submit(); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("SCRATCH access to object")));
}

TEST(ObjectLifetime, TheRuntimeSharesOwnershipUntilUnregister) {
  Runtime rt(testing::test_config("eager", 1));
  auto owned = std::make_shared<std::string>("kept");
  std::weak_ptr<std::string> watch = owned;
  auto h = rt.register_object(std::move(owned));
  EXPECT_FALSE(watch.expired());
  rt.unregister(h);
  EXPECT_TRUE(watch.expired());
}

TEST(ObjectsOnDevices, AGpuTaskGetsTheHostObjectItself) {
  auto model = std::make_shared<std::vector<double>>(3, 1.5);
  const void* address = model.get();
  const auto owned = detail::mock_device_runtime(testing::test_config("eager", 0), 2);
  Runtime& rt = *owned;
  auto h = rt.register_object(model);
  std::atomic<int> same{0};
  Codelet on_device("on_device");
  on_device.cuda([&](TaskContext& ctx) {
    auto& m = ctx.object<std::vector<double>>(0);
    same += (&m == address) ? 1 : 0;
    m[0] += 1.0;
  });
  for (int i = 0; i < 6; ++i) rt.submit(on_device, {{h, RW}});
  rt.wait_all();
  rt.unregister(h);
  EXPECT_EQ(same.load(), 6);
  EXPECT_DOUBLE_EQ((*model)[0], 7.5);
}

}  // namespace
}  // namespace tessera
