// Bad input gives an exception that names the problem; nothing crashes or hangs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

template <class Exception, class Fn>
std::string message_of(Fn&& fn) {
  try {
    fn();
  } catch (const Exception& e) {
    return e.what();
  }
  ADD_FAILURE() << "no exception thrown";
  return {};
}

class BadInput : public ::testing::Test {
 protected:
  BadInput() : rt_(testing::test_config("eager", 1)), codelet_("kernel") {
    codelet_.cpu([](TaskContext&) {});
  }
  Runtime rt_;
  Codelet codelet_;
  int value_ = 0;
};

TEST_F(BadInput, InvalidAccessModes) {
  auto h = rt_.register_blob(&value_, sizeof value_);
  for (Access bad : {static_cast<Access>(0), static_cast<Access>(5), R | COMMUTE, SCRATCH | COMMUTE,
                     static_cast<Access>(0x40)}) {
    const std::string m = message_of<InvalidArgument>([&] { rt_.task(codelet_).access(h, bad); });
    EXPECT_THAT(m, HasSubstr("invalid access mode")) << m;
    EXPECT_THAT(m, HasSubstr("task 'kernel', access 0")) << m;
  }
}

TEST_F(BadInput, NullHandles) {
  EXPECT_THAT(message_of<InvalidArgument>([&] {
                rt_.submit(codelet_, {{DataHandle{}, R}});
              }),
              HasSubstr("null data handle"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { rt_.unregister(DataHandle{}); }),
              HasSubstr("null data handle"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { rt_.task(codelet_).after(TaskHandle{}); }),
              HasSubstr("null task handle"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { TaskHandle{}.wait(); }),
              HasSubstr("null task handle"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { (void)DataHandle{}.bytes(); }),
              HasSubstr("null data handle"));
}

TEST_F(BadInput, BadRegistrations) {
  EXPECT_THAT(message_of<InvalidArgument>([&] { rt_.register_vector(&value_, 1, 0); }),
              HasSubstr("element size must be positive"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { rt_.register_matrix(&value_, 2, 5, 5, 4); }),
              HasSubstr("leading dimension 2 must be positive and at least the row count 5"));
}

TEST_F(BadInput, CodeletsWithoutImplementationOrName) {
  EXPECT_THAT(message_of<InvalidArgument>([] { Codelet(""); }), HasSubstr("non-empty name"));
  Codelet empty("empty");
  EXPECT_THAT(message_of<InvalidArgument>([&] { rt_.task(empty); }),
              HasSubstr("codelet 'empty' has no implementation"));
  Codelet gpu_only("gpu_only");
  gpu_only.cuda([](TaskContext&) {});
  EXPECT_THAT(message_of<InvalidArgument>([&] { rt_.submit(gpu_only, {}); }),
              HasSubstr("implemented for cuda only, and this runtime has no such worker"));
}

TEST_F(BadInput, HandlesOfAnotherRuntime) {
  Runtime other(testing::test_config("eager", 1));
  auto foreign = other.register_blob(&value_, sizeof value_);
  EXPECT_THAT(message_of<InvalidArgument>([&] {
                rt_.submit(codelet_, {{foreign, R}});
              }),
              HasSubstr("belongs to another runtime"));
  EXPECT_THAT(message_of<InvalidArgument>([&] { rt_.unregister(foreign); }),
              HasSubstr("another runtime"));
}

TEST_F(BadInput, ABuilderIsSpentBySubmit) {
  TaskBuilder b = rt_.task(codelet_);
  b.submit();
  EXPECT_THAT(message_of<InvalidArgument>([&] { b.submit(); }), HasSubstr("already submitted"));
}

TEST(BadPolicy, UnknownNameListsTheKnownOnes) {
  const std::string m =
      message_of<PolicyError>([] { Runtime rt(testing::test_config("fastest")); });
  EXPECT_THAT(m, HasSubstr("unknown scheduling policy 'fastest'"));
  EXPECT_THAT(m, HasSubstr("eager"));
}

TEST(BadPolicy, UnknownOrMalformedOptions) {
  // The policy is named once: "policy 'eager': no option 'speed' (it takes none)".
  EXPECT_EQ(message_of<PolicyError>([] { Runtime rt(testing::test_config("eager:speed=9")); }),
            "policy 'eager': no option 'speed' (it takes none)");
  EXPECT_THAT(
      message_of<PolicyError>([] { Runtime rt(testing::test_config("inspirit:sketch=1")); }),
      ::testing::StartsWith("policy 'inspirit': sketch size must be in [3, 4096]"));
  EXPECT_THAT(message_of<PolicyError>([] { Runtime rt(testing::test_config("random:seed")); }),
              HasSubstr("not of the form key=value"));
  EXPECT_THAT(message_of<PolicyError>([] { Runtime rt(testing::test_config("random:seed=x")); }),
              HasSubstr("seed='x' is not an integer"));
  EXPECT_THAT(message_of<PolicyError>([] { Runtime rt(testing::test_config("heft:rank=max")); }),
              HasSubstr("policy 'heft': rank must be mean or fastest (got 'max')"));
  // Non-finite numbers are refused where they are read (dmda once indexed out of bounds).
  for (const char* spec : {"dmda:alpha=nan", "dmdas:beta=inf", "dmda:alpha=-inf"}) {
    EXPECT_THAT(message_of<PolicyError>([&] { Runtime rt(testing::test_config(spec)); }),
                HasSubstr("is not a finite number"))
        << spec;
  }
}

TEST(BadPolicy, MissingSharedObject) {
  const std::string m =
      message_of<PolicyError>([] { Runtime rt(testing::test_config("/nonexistent/libp.so")); });
  EXPECT_THAT(m, HasSubstr("cannot load policy library '/nonexistent/libp.so'"));
}

TEST(BadPolicy, SharedObjectWithoutEntryPoint) {
  // libtessera itself is a shared object that exports no tessera_create_policy.
  const std::string lib = TESSERA_BINARY_DIR "/runtime/libtessera.so";
  const std::string m = message_of<PolicyError>([&] { Runtime rt(testing::test_config(lib)); });
  EXPECT_THAT(m, HasSubstr("does not export tessera_create_policy"));
}

}  // namespace
}  // namespace tessera
