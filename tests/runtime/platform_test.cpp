// Platform descriptions: parsing, validation with errors that say where, cost lookups.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <tessera/platform.hpp>

#include "test_support.hpp"

namespace tessera {
namespace {

using ::testing::HasSubstr;

// The example of the issue and of docs/formats.md.
constexpr const char* kExample = R"({ "format": "tessera-platform/1", "name": "sirocco",
  "memory_nodes": [ {"id": 0, "kind": "host", "bytes": 68719476736},
                    {"id": 1, "kind": "cuda", "bytes": 12000000000} ],
  "workers": [ {"arch": "cpu", "count": 20, "memory_node": 0},
               {"arch": "cuda", "count": 1, "memory_node": 1} ],
  "links": [ {"from": 0, "to": 1, "bandwidth_MBps": 10517, "latency_us": 10.5},
             {"from": 1, "to": 0, "bandwidth_MBps": 10521, "latency_us": 10.8} ],
  "task_costs": { "gemm": { "cpu": {"mean_us": 34900, "stddev_us": 900},
                            "cuda": {"mean_us": 750, "stddev_us": 20} } } })";

std::string error_of(const std::string& text) {
  try {
    Platform::parse(text, "bad.json");
  } catch (const InvalidArgument& e) {
    return e.what();
  }
  return "no error";
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

TEST(Platform, ParsesTheDocumentedExample) {
  const Platform p = Platform::parse(kExample, "example");
  EXPECT_EQ(p.name, "sirocco");
  EXPECT_EQ(p.worker_count(), 21);
  ASSERT_NE(p.cost("gemm", "cuda"), nullptr);
  EXPECT_EQ(p.cost("gemm", "cuda")->mean_us, 750);
  EXPECT_EQ(p.link(0, 1)->bandwidth_MBps, 10517);
  EXPECT_EQ(p.workers[1].kind, "cuda");
  // Round trip through to_json.
  const Platform again = Platform::parse(p.to_json(), "round trip");
  EXPECT_EQ(again.to_json(), p.to_json());
}

TEST(Platform, BuiltinPlatformsLoad) {
  for (const char* name : {"sirocco", "mirage", "idgraf", "attila"}) {
    const Platform p = Platform::builtin(name);
    EXPECT_EQ(p.name, name);
    EXPECT_EQ(p.tile, 960);
    for (const char* type :
         {"potrf", "trsm", "syrk", "gemm", "getrf", "trsm_ll", "trsm_ru", "geqrt", "tsmqr"}) {
      EXPECT_NE(p.cost(type, "cpu"), nullptr) << name << " " << type;
    }
  }
  const Platform sirocco = Platform::builtin("sirocco");
  EXPECT_EQ(sirocco.workers[0].count, 20);  // 24 cores, 4 drive GPUs
  EXPECT_EQ(sirocco.worker_count(), 24);
  EXPECT_THAT([] { Platform::builtin("nowhere"); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  HasSubstr("built in: attila, idgraf, mirage, sirocco")));
}

TEST(Platform, CostsBySize) {
  const Platform p = Platform::builtin("sirocco");
  const double b960 = 3 * 960.0 * 960 * 4;
  EXPECT_NEAR(p.cost_at("gemm", "cuda", b960)->mean_us, 750, 10);
  // Between two sampled sizes the power law interpolates monotonically.
  const double b800 = 3 * 800.0 * 800 * 4;
  const double mid = p.cost_at("gemm", "cpu", b800)->mean_us;
  EXPECT_GT(mid, p.cost_at("gemm", "cpu", 3 * 640.0 * 640 * 4)->mean_us);
  EXPECT_LT(mid, p.cost_at("gemm", "cpu", b960)->mean_us);
  EXPECT_FALSE(p.cost_at("gemm", "fpga", b960));
}

TEST(Platform, MalformedFilesNameTheFieldAndReason) {
  EXPECT_THAT(error_of("{"), HasSubstr("bad.json: not valid JSON"));
  EXPECT_THAT(error_of(with(kExample, "tessera-platform/1", "tessera-platform/9")),
              HasSubstr("bad.json: format: unsupported format"));
  EXPECT_THAT(error_of(with(kExample, R"("name": "sirocco",)", "")),
              HasSubstr("bad.json: name: missing field"));
  EXPECT_THAT(error_of(with(kExample, R"("mean_us": 750)", R"("mean_us": -750)")),
              HasSubstr("task_costs.gemm.cuda.mean_us: must not be negative"));
  EXPECT_THAT(error_of(with(kExample, R"("count": 20)", R"("count": 0)")),
              HasSubstr("workers[0].count: must be positive"));
  EXPECT_THAT(error_of(with(kExample, R"("arch": "cuda", "count": 1, "memory_node": 1)",
                            R"("arch": "cuda", "count": 1, "memory_node": 7)")),
              HasSubstr("workers[1].memory_node: no memory node with id 7"));
  EXPECT_THAT(error_of(with(kExample, R"("kind": "cuda", "bytes")", R"("kind": "tpu", "bytes")")),
              HasSubstr("memory_nodes[1].kind: unknown memory kind 'tpu'"));
  EXPECT_THAT(error_of(with(
                  kExample, R"({"from": 1, "to": 0, "bandwidth_MBps": 10521, "latency_us": 10.8})",
                  R"({"from": 1, "to": 1, "bandwidth_MBps": 10521, "latency_us": 10.8})")),
              HasSubstr("links[1]: a link joins two different memory nodes"));
  EXPECT_THAT(error_of(with(kExample, R"(,
             {"from": 1, "to": 0, "bandwidth_MBps": 10521, "latency_us": 10.8} ])",
                            "]")),
              HasSubstr("memory node 1 needs a link to and from the host node 0"));
  EXPECT_THAT(error_of(with(kExample, R"("bandwidth_MBps": 10517)", R"("bandwidth_MBps": "fast")")),
              HasSubstr("links[0].bandwidth_MBps: expected a number"));
}

TEST(Platform, MissingFileIsNamed) {
  EXPECT_THAT(
      [] { Platform::load("/nonexistent/p.json"); },
      ::testing::ThrowsMessage<InvalidArgument>(HasSubstr("cannot open '/nonexistent/p.json'")));
}

}  // namespace
}  // namespace tessera
