// The progress line of long runs (tessera/progress.hpp): printed on schedule with what is
// done of what was submitted, attached by Config::progress_seconds and by the simulator.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include <tessera/simulation.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::ContainsRegex;
using ::testing::HasSubstr;

TEST(Progress, ALineNamesWhatIsDoneOfWhatWasSubmitted) {
  ProgressMeter::Options options;
  options.label = "test";
  ProgressMeter meter(options, [] { return std::uint64_t{2000000}; });
  for (int i = 0; i < 1234; ++i) meter.on_task_end(TaskEvent{});
  EXPECT_THAT(meter.line(), ContainsRegex("^test: 1,234 of 2,000,000 tasks done \\(0\\.1%\\) in "
                                          "[0-9.]+ s, [0-9,]+ tasks/s"));
  ProgressMeter unknown(options, nullptr);
  unknown.on_task_end(TaskEvent{});
  EXPECT_THAT(unknown.line(), HasSubstr("test: 1 tasks done in"));
  EXPECT_EQ(meter.lines_printed(), 0u);  // the first period has not passed
}

TEST(Progress, ARuntimeWithAProgressPeriodPrintsOnSchedule) {
  ::testing::internal::CaptureStderr();
  {
    Runtime rt(testing::test_config("eager", 2).with_progress(0.01));
    Codelet slow("slow");
    slow.cpu([](TaskContext&) { std::this_thread::sleep_for(std::chrono::milliseconds(2)); });
    for (int i = 0; i < 60; ++i) rt.submit(slow, {});
    rt.wait_all();
  }
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(out, ContainsRegex("tessera: [0-9,]+ of 60 tasks done \\([0-9.]+%\\) in"));
}

TEST(Progress, ASimulationShowsTheSimulatedTime) {
  Dag dag;
  dag.name = "independent";
  for (int t = 0; t < 20000; ++t) {
    DagTask task;
    task.id = "t" + std::to_string(t);
    task.type = "x";
    task.cost_us = {{"*", 10.0}};
    dag.tasks.push_back(task);
  }
  SimOptions options;
  options.sched = "eager";
  options.progress_seconds = 1e-4;
  ::testing::internal::CaptureStderr();
  simulate(dag, Platform::builtin("idgraf"), options);
  const std::string out = ::testing::internal::GetCapturedStderr();
  EXPECT_THAT(out, ContainsRegex("tessera sim: [0-9,]+ of 20,000 tasks done .* simulated time "));
}

TEST(Progress, BadPeriodsAreRefusedWithTheirName) {
  EXPECT_THAT([] { Runtime rt(testing::test_config("eager").with_progress(-1)); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("Config::progress_seconds")));
  testing::ScopedEnv env("TESSERA_PROGRESS", "soon");
  EXPECT_THAT([] { Runtime rt(Config{}.with_ncpu(1).with_sched("eager")); },
              ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("TESSERA_PROGRESS='soon'")));
}

}  // namespace
}  // namespace tessera
