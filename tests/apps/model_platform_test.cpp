// tessera platform from-models: a platform of this machine from Tessera's calibrated
// HistoryModel files, ready for the simulator.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <platform/tessera_models.hpp>
#include <tessera/error.hpp>
#include <tessera/perf_models.hpp>

namespace tessera {
namespace {

namespace fs = std::filesystem;

class ModelPlatform : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("tessera-model-platform-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // A calibrated model file with `samples` measurements of `us` at each of `sizes` (bytes).
  void write_model(const std::string& name,
                   std::initializer_list<std::pair<double, double>> sizes_us) {
    HistoryModel m(name);
    std::uint64_t key = 1;
    for (auto [bytes, us] : sizes_us) {
      for (int i = 0; i < 10; ++i) m.record(Arch::cpu, {key, bytes}, us + (i % 2 ? 1.0 : -1.0));
      ++key;
    }
    m.save((dir_ / (name + ".json")).string());
  }
  fs::path dir_;
};

TEST_F(ModelPlatform, CostsComeFromTheModelsAtTheReferenceTile) {
  const double tile_bytes = 512.0 * 512 * 8;
  write_model("tessera_dgemm_nt", {{3 * tile_bytes, 5700.0}, {3 * tile_bytes / 4, 780.0}});
  write_model("tessera_dpotrf", {{tile_bytes, 900.0}});
  write_model("tessera_spotrf", {{tile_bytes / 2, 400.0}});  // other precision: ignored
  tools::ModelPlatformOptions o;
  o.model_dir = dir_.string();
  o.ncpu = 2;
  o.tile = 512;
  const Platform p = tools::platform_from_models(o);
  ASSERT_EQ(p.workers.size(), 1u);
  EXPECT_EQ(p.workers[0].count, 2);
  ASSERT_NE(p.cost("gemm", "cpu"), nullptr);
  EXPECT_NEAR(p.cost("gemm", "cpu")->mean_us, 5700.0, 1e-9);
  EXPECT_EQ(p.cost("gemm", "cpu")->by_size.size(), 2u);
  EXPECT_TRUE(p.cost("gemm", "cpu")->derived_from.empty());
  EXPECT_NEAR(p.cost("potrf", "cpu")->mean_us, 900.0, 1e-9);
  EXPECT_EQ(p.cost("trsm", "cpu"), nullptr);  // never calibrated
  // What it writes reads back.
  EXPECT_NO_THROW(Platform::parse(p.to_json(), "round trip"));
}

TEST_F(ModelPlatform, ANearestSizeIsMarkedAsSuch) {
  write_model("tessera_dpotrf", {{256.0 * 256 * 8, 150.0}});
  tools::ModelPlatformOptions o;
  o.model_dir = dir_.string();
  o.tile = 512;
  const Platform p = tools::platform_from_models(o);
  EXPECT_NEAR(p.cost("potrf", "cpu")->mean_us, 150.0, 1e-9);
  EXPECT_THAT(p.cost("potrf", "cpu")->derived_from, ::testing::HasSubstr("no sample at tile 512"));
}

TEST_F(ModelPlatform, BadInputIsNamed) {
  tools::ModelPlatformOptions o;
  o.model_dir = dir_.string();
  EXPECT_THAT([&] { tools::platform_from_models(o); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::HasSubstr("no calibrated model tessera_d*")));
  o.ncpu = 0;
  EXPECT_THROW(tools::platform_from_models(o), InvalidArgument);
  o.ncpu = 1;
  o.precision = 'q';
  EXPECT_THROW(tools::platform_from_models(o), InvalidArgument);
  std::ofstream(dir_ / "tessera_dpotrf.json") << "{ not json";
  o.precision = 'd';
  EXPECT_THAT(
      [&] { tools::platform_from_models(o); },
      ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("tessera_dpotrf.json")));
}

}  // namespace
}  // namespace tessera
