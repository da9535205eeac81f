// The StarPU importer on the shared sampling files: known means, and the shipped platform
// files are exactly what it produces.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <platform/starpu_import.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

const std::string kSampling = std::string(TESSERA_SOURCE_DIR) + "/../shared/data/starpu-sampling";

bool have_sampling() {
  return std::filesystem::exists(kSampling + "/codelets/45");
}

TEST(StarpuImport, ReproducesKnownMeans) {
  if (!have_sampling()) GTEST_SKIP() << "no StarPU sampling files at " << kSampling;
  const Platform p = tools::import_starpu_platform(kSampling, "sirocco");
  // GEMM on 960 x 960 tiles: about 0.75 ms on a K40m and 35 ms on one core.
  EXPECT_NEAR(p.cost("gemm", "cuda")->mean_us, 750, 15);
  EXPECT_NEAR(p.cost("gemm", "cpu")->mean_us, 34940, 100);
  EXPECT_EQ(p.workers[0].count, 20);
  EXPECT_EQ(p.memory_nodes.size(), 5u);
  EXPECT_NEAR(p.link(0, 1)->bandwidth_MBps, 10517.68, 0.01);
  EXPECT_NEAR(p.link(1, 0)->latency_us, 10.8504, 1e-3);
  EXPECT_EQ(p.memory_nodes[1].bytes, 12079136768u);
  EXPECT_FALSE(p.cost("geqrt", "cpu")->derived_from.empty());
}

TEST(StarpuImport, BuiltinFilesMatchAFreshImport) {
  if (!have_sampling()) GTEST_SKIP() << "no StarPU sampling files at " << kSampling;
  for (const char* machine : {"sirocco", "mirage", "idgraf", "attila"}) {
    std::ifstream in(std::string(TESSERA_SOURCE_DIR) + "/data/platforms/" + machine + ".json");
    std::stringstream shipped;
    shipped << in.rdbuf();
    EXPECT_EQ(shipped.str(), tools::import_starpu_platform(kSampling, machine).to_json())
        << machine;
  }
}

TEST(StarpuImport, PerfmodelParserReadsEveryCombination) {
  if (!have_sampling()) GTEST_SKIP() << "no StarPU sampling files at " << kSampling;
  const auto devices =
      tools::parse_starpu_perfmodel(kSampling + "/codelets/45/chol_model_gemm.idgraf");
  EXPECT_EQ(devices.size(), 9u);  // one CPU + eight GPUs
  std::size_t cuda = 0;
  for (const auto& d : devices) cuda += d.arch == Arch::cuda ? 1 : 0;
  EXPECT_EQ(cuda, 8u);
}

TEST(StarpuImport, BadFilesAreNamed) {
  const std::string dir =
      std::filesystem::temp_directory_path() / ("tessera-starpu-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/bad.model") << "# Performance Model Version\n44\n";
  EXPECT_THAT([&] { tools::parse_starpu_perfmodel(dir + "/bad.model"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::HasSubstr("version 44 is not supported")));
  std::ofstream(dir + "/short.model") << "45\n1\n1\n0 0\n";
  EXPECT_THAT([&] { tools::parse_starpu_perfmodel(dir + "/short.model"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::HasSubstr("short.model: ended while reading")));
  EXPECT_THAT([&] { tools::import_starpu_platform(dir, "nowhere"); },
              ::testing::ThrowsMessage<InvalidArgument>(::testing::HasSubstr("nowhere.config")));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace tessera
