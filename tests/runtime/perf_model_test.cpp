// Performance models: history statistics, regressions, persistence, calibration modes,
// and predictions reaching policies through the runtime.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include <tessera/perf_models.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

std::string temp_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("tessera-models-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  return dir.string();
}

HistoryModel::Options options(std::uint64_t min_samples, CalibrationMode mode) {
  HistoryModel::Options o;
  o.min_samples = min_samples;
  o.calibration = mode;
  return o;
}

TEST(PerfModel, RegressionRecoversAandB) {
  std::vector<double> x, y, w;
  for (double size : {1e3, 4e3, 1.6e4, 6.4e4, 2.56e5}) {
    x.push_back(size);
    y.push_back(3.0 * std::pow(size, 1.5));
    w.push_back(1.0);
  }
  const auto f = fit_power_law(x, y, w, false);
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->a, 3.0, 1e-6);
  EXPECT_NEAR(f->b, 1.5, 1e-9);
}

// Samples of one size give no slope: no fit (it was 0/0), however many and heavy they are.
TEST(PerfModel, SamplesOfOneSizeGiveNoFit) {
  for (double weight : {1.0, 1e6}) {
    const std::vector<double> x(50, 3.7e5), y(50, 1234.5), w(50, weight);
    EXPECT_FALSE(fit_power_law(x, y, w, false)) << weight;
    EXPECT_FALSE(fit_power_law(x, y, w, true)) << weight;
  }
}

TEST(PerfModel, RegressionWithConstantRecoversAllThree) {
  std::vector<double> x, y, w;
  for (double size : {1e2, 1e3, 1e4, 1e5, 1e6}) {
    x.push_back(size);
    y.push_back(0.02 * std::pow(size, 1.2) + 40.0);
    w.push_back(1.0);
  }
  const auto f = fit_power_law(x, y, w, true);
  ASSERT_TRUE(f);
  EXPECT_NEAR(f->b, 1.2, 0.01);
  EXPECT_NEAR(f->c, 40.0, 1.0);
  EXPECT_NEAR((*f)(5e5), 0.02 * std::pow(5e5, 1.2) + 40.0,
              0.005 * (0.02 * std::pow(5e5, 1.2) + 40.0));
}

TEST(PerfModel, HistoryStatisticsAndPredictions) {
  HistoryModel model("k", options(3, CalibrationMode::when_needed));
  const Footprint small{1, 1000}, big{2, 8000};
  EXPECT_FALSE(model.expected_us(Arch::cpu, small));
  for (double t : {9.0, 10.0, 11.0}) model.record(Arch::cpu, small, t);
  EXPECT_DOUBLE_EQ(*model.expected_us(Arch::cpu, small), 10.0);
  EXPECT_NEAR(model.history(Arch::cpu)[0].stddev_us(), std::sqrt(2.0 / 3.0), 1e-12);
  // An unseen footprint: nothing until two sizes are known, then the power law.
  EXPECT_FALSE(model.expected_us(Arch::cpu, Footprint{3, 4000}));
  for (int i = 0; i < 3; ++i) model.record(Arch::cpu, big, 80.0);
  const double predicted = *model.expected_us(Arch::cpu, Footprint{3, 4000});
  EXPECT_NEAR(predicted, 40.0, 0.5);  // 10 * (4000/1000)^1
  EXPECT_FALSE(model.expected_us(Arch::cuda, small));
}

TEST(PerfModel, WhenNeededCalibrationStopsAtMinSamples) {
  HistoryModel model("k", options(2, CalibrationMode::when_needed));
  const Footprint f{7, 100};
  model.record(Arch::cpu, f, 1.0);
  model.record(Arch::cpu, f, 3.0);
  model.record(Arch::cpu, f, 1000.0);  // calibrated already: ignored
  EXPECT_DOUBLE_EQ(*model.expected_us(Arch::cpu, f), 2.0);
  HistoryModel always("k", options(2, CalibrationMode::always));
  for (double t : {1.0, 3.0, 5.0}) always.record(Arch::cpu, f, t);
  EXPECT_DOUBLE_EQ(*always.expected_us(Arch::cpu, f), 3.0);
}

TEST(PerfModel, PersistenceRoundTripThroughTheModelDirectory) {
  const std::string dir = temp_dir("persist");
  testing::ScopedEnv env_dir("TESSERA_PERFMODEL_DIR", dir.c_str());
  testing::ScopedEnv env_cal("TESSERA_CALIBRATE", "1");
  {
    auto model = HistoryModel::persistent("my kernel/v2");
    for (int i = 0; i < 12; ++i) model->record(Arch::cpu, Footprint{42, 512}, 100.0 + i);
    model->flush();
  }
  EXPECT_TRUE(std::filesystem::exists(dir + "/my_kernel_v2.json"));
  auto reloaded = HistoryModel::persistent("my kernel/v2");
  ASSERT_EQ(reloaded->history(Arch::cpu).size(), 1u);
  EXPECT_EQ(reloaded->history(Arch::cpu)[0].count, 12u);
  EXPECT_DOUBLE_EQ(*reloaded->expected_us(Arch::cpu, Footprint{42, 512}), 105.5);
  {
    testing::ScopedEnv reset("TESSERA_CALIBRATE", "2");
    EXPECT_TRUE(HistoryModel::persistent("my kernel/v2")->history(Arch::cpu).empty());
  }
  {
    testing::ScopedEnv bad("TESSERA_CALIBRATE", "yes");
    EXPECT_THROW(HistoryModel::persistent("x"), InvalidArgument);
  }
  std::filesystem::remove_all(dir);
}

TEST(PerfModel, CorruptFileIsNamed) {
  const std::string dir = temp_dir("corrupt");
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/k.json")
      << R"({"format": "tessera-perfmodel/1", "name": "k", "archs": {"cpu": {"history": [{"key": 1}]}}})";
  testing::ScopedEnv env_dir("TESSERA_PERFMODEL_DIR", dir.c_str());
  EXPECT_THAT([] { HistoryModel::persistent("k"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::HasSubstr("k.json: archs.cpu.history[0].size: missing field")));
  std::filesystem::remove_all(dir);
}

TEST(PerfModel, RuntimeFeedsTheModelAndPoliciesSeeIt) {
  const std::string dir = temp_dir("runtime");
  testing::ScopedEnv env_dir("TESSERA_PERFMODEL_DIR", dir.c_str());
  auto model = HistoryModel::persistent("sleepy");
  Codelet sleepy("sleepy");
  sleepy.cpu([](TaskContext&) { std::this_thread::sleep_for(std::chrono::microseconds(300)); });
  sleepy.model(model);
  {
    Runtime rt(testing::test_config("dmda", 2));
    std::vector<double> v(64);
    auto h = rt.register_vector(std::span(v));
    for (int i = 0; i < 12; ++i) rt.submit(sleepy, {{h, R}});
    rt.wait_all();
    const auto entries = model->history(Arch::cpu);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_GE(entries[0].count, 10u);
    EXPECT_GE(entries[0].mean_us, 250.0);
  }  // shutdown writes the model
  EXPECT_TRUE(std::filesystem::exists(dir + "/sleepy.json"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera
