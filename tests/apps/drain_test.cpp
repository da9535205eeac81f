#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include <logs/drain.hpp>
#include <logs/replay.hpp>
#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

// The published Drain group accuracy of each Loghub 2k sample (logpai/logparser), which the
// presets must reproduce; the labels live in the shared data folder.
struct Published {
  const char* system;
  double group_accuracy;
};
constexpr Published kPublished[] = {
    {"HDFS", 0.9975},    {"Hadoop", 0.9475},    {"Spark", 0.920},   {"Zookeeper", 0.9665},
    {"BGL", 0.9625},     {"HPC", 0.887},        {"Windows", 0.997}, {"Linux", 0.690},
    {"Android", 0.911},  {"HealthApp", 0.780},  {"Apache", 1.000},  {"Proxifier", 0.5265},
    {"OpenSSH", 0.7875}, {"OpenStack", 0.7325}, {"Mac", 0.7865}};

const std::filesystem::path kShared = TESSERA_SOURCE_DIR "/../shared/data/loghub";

TEST(Drain, PresetsReproduceThePublishedGroupAccuracy) {
  if (!std::filesystem::exists(kShared))
    GTEST_SKIP() << "no ../shared/data/loghub beside the project";
  for (const auto& p : kPublished) {
    const std::string base = (kShared / p.system / (std::string(p.system) + "_2k.log")).string();
    const auto parsed = parse_lines(read_log(base), drain_preset(p.system));
    EXPECT_EQ(parsed.skipped, 0u) << p.system;
    const auto acc = accuracy_against(parsed, base + "_structured.csv");
    EXPECT_NEAR(acc.group, p.group_accuracy, 1e-9) << p.system;
  }
}

// Improved mode: the same rules on every system; at least Drain's published figure on each,
// and a mean over 0.96 (0.9685 when it was designed on the first half of each sample).
TEST(Drain, ImprovedModeBeatsThePublishedGroupAccuracyEverywhere) {
  if (!std::filesystem::exists(kShared))
    GTEST_SKIP() << "no ../shared/data/loghub beside the project";
  double sum = 0;
  for (const auto& p : kPublished) {
    const std::string base = (kShared / p.system / (std::string(p.system) + "_2k.log")).string();
    auto preset = drain_preset(p.system);
    preset.options.improved = true;
    const auto acc =
        accuracy_against(parse_lines(read_log(base), preset), base + "_structured.csv");
    EXPECT_GE(acc.group, p.group_accuracy) << p.system;
    sum += acc.group;
  }
  EXPECT_GE(sum / std::size(kPublished), 0.96);
}

TEST(Drain, ImprovedModeTokensAndMerges) {
  std::string masked = "state=OK (x, y) wait... blk<*>x 42 done";
  std::vector<std::string_view> tokens;
  drain_tokens(masked, true, tokens);
  EXPECT_EQ(tokens,
            (std::vector<std::string_view>{"state", "OK", "x", "y", "wait", "<*>", "<*>", "done"}));
  DrainOptions options;
  options.improved = true;
  Drain drain(options);
  // Two different words never merge; a one-token message still joins a cluster.
  const auto a = drain.add("open file alpha now");
  const auto b = drain.add("close file alpha now");
  EXPECT_NE(a, b);
  EXPECT_EQ(drain.add("ping"), drain.add("ping"));
  // Templates that differ only where one has <*> become one event.
  const auto c = drain.add("job 1 finished");
  drain.add("job 2 finished");
  const auto events = event_templates(drain.settled_templates(), true);
  EXPECT_EQ(events[c], "job <*> finished");
}

TEST(Drain, MergesLinesThatDifferInParameters) {
  Drain drain({.depth = 4,
               .similarity = 0.5,
               .max_children = 100,
               .masks = {R"(blk_-?\d+)"},
               .improved = false,
               .index_leaves_from = 32});
  const auto a = drain.add("Received block blk_123 of size 67108864 from /10.0.0.1");
  const auto b = drain.add("Received block blk_-99 of size 512 from /10.0.0.2");
  const auto c = drain.add("Deleting block blk_5 file /data/x");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(drain.template_of(a), "Received block <*> of size <*> from <*>");
}

TEST(Drain, WritesLoghubsStructuredAndTemplateFiles) {
  const auto dir = std::filesystem::temp_directory_path() / "tessera_drain_out";
  const std::vector<std::string> lines = {
      "081109 203615 148 INFO dfs.DataNode: Served block blk_1 to /10.0.0.1",
      "081109 203616 149 INFO dfs.DataNode: Served block blk_2 to /10.0.0.2",
      "081109 203617 150 WARN dfs.DataNode: Got exception, retrying", "not a line of this format"};
  const auto parsed = parse_lines(lines, drain_preset("HDFS"));
  EXPECT_EQ(parsed.skipped, 1u);
  write_structured(parsed, dir.string(), "mini");
  const auto rows = read_csv((dir / "mini_structured.csv").string());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].front(), "LineId");
  EXPECT_EQ(rows[0].back(), "EventTemplate");
  EXPECT_EQ(rows[1].back(), "Served block <*> to /<*>");
  EXPECT_EQ(rows[3].back(), "Got exception, retrying");  // quoted in the file, one field back
  EXPECT_EQ(rows[1][rows[1].size() - 2], "E1");
  const auto templates = read_csv((dir / "mini_templates.csv").string());
  ASSERT_EQ(templates.size(), 3u);
  EXPECT_EQ(templates[1], (std::vector<std::string>{"E1", "Served block <*> to /<*>", "2"}));
  std::filesystem::remove_all(dir);
}

TEST(Drain, BadPresetsAndFormatsAreErrors) {
  EXPECT_THROW(drain_preset("Nope"), InvalidArgument);
  EXPECT_THROW(LogFormat("<Date> <Time>"), InvalidArgument);  // no <Content>
  EXPECT_THROW(Drain({.depth = 2, .similarity = 0.5, .max_children = 100, .masks = {}}),
               InvalidArgument);
  EXPECT_THROW(Drain({.depth = 4, .similarity = 0.5, .max_children = 100, .masks = {"(unclosed"}}),
               InvalidArgument);
}

// The leaf index changes no result: per line the same cluster, and the same templates, as
// comparing with every template, on every shipped sample in both modes and on a replayed
// BGL log whose register dumps fill leaves with thousands of templates.
TEST(Drain, IndexedLeavesFindTheSameClustersAsTheFullScan) {
  const auto same_parse = [](const std::vector<std::string>& lines, const DrainPreset& preset,
                             const std::string& what) {
    auto scan = preset.options, indexed = preset.options;
    scan.index_leaves_from = SIZE_MAX;
    indexed.index_leaves_from = 2;
    Drain a(scan), b(indexed);
    const LogFormat format(preset.format);
    std::vector<std::string> fields;
    std::size_t differ = 0;
    for (const auto& line : lines) {
      if (!format.split(line, fields)) continue;
      const auto ca = a.add(fields[format.content()]), cb = b.add(fields[format.content()]);
      EXPECT_EQ(ca, cb) << what << line;
      if (ca != cb && ++differ > 3) break;
    }
    EXPECT_EQ(a.clusters(), b.clusters()) << what;
    for (std::size_t c = 0; c < std::min(a.clusters(), b.clusters()); ++c) {
      EXPECT_EQ(a.template_of(c), b.template_of(c)) << what;
    }
    return a.clusters();
  };
  const std::filesystem::path data = TESSERA_SOURCE_DIR "/data/loghub";
  for (const auto& preset : drain_presets()) {
    const auto path = data / preset.system / (preset.system + "_2k.log");
    if (!std::filesystem::exists(path)) continue;
    for (bool improved : {false, true}) {
      auto p = preset;
      p.options.improved = improved;
      same_parse(read_log(path.string()), p, preset.system + (improved ? " improved: " : ": "));
    }
  }
  const auto bgl = data / "BGL" / "BGL_2k.log";
  const auto sample = read_log(bgl.string());
  std::ostringstream replayed;
  replay_log(sample, variable_spans(sample, bgl.string() + "_structured.csv"), 40000, 3, replayed);
  std::vector<std::string> lines;
  std::istringstream in(replayed.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  EXPECT_GT(same_parse(lines, drain_preset("BGL"), "BGL replay: "), 200u);
}

}  // namespace
}  // namespace tessera::logs
