// The Chrome trace lists every task with its worker and times; the DOT export lists the
// submitted graph.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "test_support.hpp"

namespace tessera {
namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("tessera-test-" + std::to_string(::getpid()) + "-" + name))
      .string();
}

TEST(Trace, ChromeJsonHasOneCompleteEventPerTask) {
  const std::string trace = temp_path("trace.json");
  const std::string dot = temp_path("graph.dot");
  {
    Runtime rt(testing::test_config("lws", 2).with_trace(trace).with_dot(dot));
    int cell = 0;
    auto h = rt.register_blob(&cell, sizeof cell);
    Codelet inc("inc");
    inc.cpu([](TaskContext& ctx) { ++*static_cast<int*>(ctx.raw(0)); });
    for (int i = 0; i < 10; ++i)
      rt.task(inc).read_write(h).name("inc \"" + std::to_string(i) + "\"").submit();
    rt.wait_all();
  }
  std::ifstream in(trace);
  const nlohmann::json doc = nlohmann::json::parse(in);
  std::vector<std::pair<double, double>> spans;
  for (const auto& e : doc["traceEvents"]) {
    if (e["ph"] != "X") continue;
    EXPECT_GE(e["tid"].get<int>(), 0);
    EXPECT_LT(e["tid"].get<int>(), 2);
    EXPECT_GE(e["dur"].get<double>(), 0.0);
    EXPECT_EQ(e["cat"], "inc");
    spans.emplace_back(e["ts"].get<double>(), e["ts"].get<double>() + e["dur"].get<double>());
  }
  const auto tasks = spans.size();
  // The tasks form a chain through one handle: they cannot overlap.
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i)
    EXPECT_GE(spans[i].first, spans[i - 1].second - 1e-3);
  EXPECT_EQ(tasks, 10u);

  std::ifstream dot_in(dot);
  std::stringstream text;
  text << dot_in.rdbuf();
  const std::string graph = text.str();
  EXPECT_NE(graph.find("digraph"), std::string::npos);
  EXPECT_NE(graph.find("t0 -> t1;"), std::string::npos);
  EXPECT_NE(graph.find("t8 -> t9;"), std::string::npos);
  EXPECT_NE(graph.find(R"(label="inc \"3\"")"), std::string::npos);
  std::filesystem::remove(trace);
  std::filesystem::remove(dot);
}

TEST(Trace, UnwritablePathIsNamed) {
  Runtime rt(testing::test_config("eager", 1));
  try {
    rt.write_trace("/nonexistent-dir/x.json");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir/x.json"), std::string::npos);
  }
}

// Trace and DOT files are written at shutdown; a path that cannot be written is refused when
// the runtime starts, before any task runs.
TEST(Trace, UnwritableConfiguredPathsAreRefusedAtStart) {
  EXPECT_THAT(
      [] { Runtime rt(testing::test_config("eager", 1).with_trace("/nonexistent-dir/t.json")); },
      ::testing::ThrowsMessage<InvalidArgument>(
          ::testing::HasSubstr("cannot write trace file '/nonexistent-dir/t.json'")));
  auto config = testing::test_config("eager", 1);
  config.dot_file = "/nonexistent-dir/g.dot";
  EXPECT_THAT([&] { Runtime rt(config); },
              ::testing::ThrowsMessage<InvalidArgument>(
                  ::testing::HasSubstr("cannot write DOT file '/nonexistent-dir/g.dot'")));
}

}  // namespace
}  // namespace tessera
