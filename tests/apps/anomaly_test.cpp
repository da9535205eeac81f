#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include <logs/detect.hpp>
#include <logs/pca_detector.hpp>
#include <logs/windows.hpp>
#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

const std::filesystem::path kBgl = TESSERA_SOURCE_DIR "/data/loghub/BGL/BGL_2k.log";

// A log of given events, one second apart, with the given anomalous lines.
EventLog synthetic(const std::vector<std::uint32_t>& events, std::vector<std::size_t> bad = {}) {
  EventLog log;
  std::uint32_t most = 0;
  for (std::size_t i = 0; i < events.size(); ++i) {
    log.events.push_back(events[i]);
    log.times.push_back(static_cast<double>(i));
    log.line_ids.push_back(i + 1);
    log.anomalous.push_back(0);
    most = std::max(most, events[i]);
  }
  for (std::size_t b : bad) log.anomalous[b] = 1;
  for (std::uint32_t e = 0; e <= most; ++e) log.templates.push_back("E" + std::to_string(e));
  return log;
}

TEST(Windows, ParsesSpecsAndNamesBadOnes) {
  const auto fixed = WindowSpec::parse("count:20");
  EXPECT_FALSE(fixed.by_time);
  EXPECT_EQ(fixed.step, 20);
  const auto sliding = WindowSpec::parse("time:60,30");
  EXPECT_TRUE(sliding.by_time);
  EXPECT_EQ(sliding.describe(), "time:60,30");
  for (const char* bad : {"20", "lines:20", "count:0", "count:10,20", "count:2.5", "time:nan",
                          "time:60,x", "count:"}) {
    EXPECT_THROW(WindowSpec::parse(bad), InvalidArgument) << bad;
  }
}

TEST(Windows, CountWindowsFixedAndSliding) {
  const auto log = synthetic(std::vector<std::uint32_t>(10, 0), {7});
  const auto fixed = make_windows(log, 0, 10, WindowSpec::parse("count:4"));
  ASSERT_EQ(fixed.size(), 3u);
  EXPECT_EQ(fixed[2].begin, 8u);
  EXPECT_EQ(fixed[2].end, 10u);
  EXPECT_TRUE(fixed[1].anomalous);
  EXPECT_FALSE(fixed[2].anomalous);
  const auto sliding = make_windows(log, 2, 10, WindowSpec::parse("count:4,2"));
  ASSERT_EQ(sliding.size(), 3u);  // [2,6) [4,8) [6,10)
  EXPECT_EQ(sliding[1].begin, 4u);
  EXPECT_EQ(sliding.back().end, 10u);
}

TEST(Windows, TimeWindowsSkipGapsAndKeepEveryLine) {
  auto log = synthetic(std::vector<std::uint32_t>(6, 0));
  log.times = {0, 10, 20, 500, 505, 1000};
  const auto windows = make_windows(log, 0, 6, WindowSpec::parse("time:60,30"));
  // [0,60) holds lines 0-2; then the gap to 500 is stepped over; 1000 stands alone.
  ASSERT_GE(windows.size(), 3u);
  EXPECT_EQ(windows[0].begin, 0u);
  EXPECT_EQ(windows[0].end, 3u);
  std::vector<bool> covered(6, false);
  for (const auto& w : windows) {
    EXPECT_LT(w.begin, w.end);
    for (std::size_t i = w.begin; i < w.end; ++i) covered[i] = true;
  }
  EXPECT_EQ(covered, std::vector<bool>(6, true));
  EXPECT_EQ(windows.back().begin, 5u);
  log.times.clear();
  EXPECT_THROW(make_windows(log, 0, 6, WindowSpec::parse("time:60")), InvalidArgument);
}

TEST(Windows, SplitAndScores) {
  const auto s = chronological_split(100, 0.6, 0.2);
  EXPECT_EQ(s.train, 60u);
  EXPECT_EQ(s.valid, 80u);
  EXPECT_THROW(chronological_split(100, 0.9, 0.2), InvalidArgument);
  EXPECT_THROW(chronological_split(100, 0, 0.2), InvalidArgument);
  std::vector<Window> w(4);
  w[0].anomalous = w[1].anomalous = true;
  const auto d = score_windows(w, {true, false, true, false});
  EXPECT_EQ(d.tp, 1u);
  EXPECT_EQ(d.fn, 1u);
  EXPECT_EQ(d.fp, 1u);
  EXPECT_DOUBLE_EQ(d.f1(), 0.5);
  EXPECT_THROW(score_windows(w, {true}), InvalidArgument);
}

TEST(Windows, ChoosesTheTopKWithTheBestF1) {
  std::vector<Window> w(3);
  w[2].anomalous = true;
  // Worst ranks 1, 2 and 5: k in 3..5 flags only the anomalous window; ties go to 5.
  const std::vector<std::vector<std::uint32_t>> ranks = {{0, 1}, {2}, {5, 0}};
  EXPECT_EQ(choose_top_k(ranks, w, 10), 5u);
  EXPECT_EQ(top_k_verdicts(ranks, 2), (std::vector<bool>{false, true, true}));
}

TEST(Pca, FlagsAWindowOffTheNormalSubspace) {
  // Normal windows of ten lines are of two kinds, (0, 1) or (3, 4), in varying amounts;
  // the odd one holds event 2, never seen in training.
  std::vector<std::uint32_t> events;
  for (int w = 0; w < 40; ++w) {
    const std::uint32_t a = w % 2 ? 3 : 0;
    const int first = 3 + (w / 2) % 5;
    for (int k = 0; k < 10; ++k) events.push_back(k < first ? a : a + 1);
  }
  const std::size_t normal_end = events.size();
  events.insert(events.end(), {2, 2, 2, 2, 2, 0, 0, 0, 0, 0});
  auto log = synthetic(events);
  const auto train = make_windows(log, 0, normal_end, WindowSpec::parse("count:10"));
  PcaDetector pca;
  pca.fit(log, train);
  EXPECT_GE(pca.components(), 1u);
  const auto spe_train = pca.spe(log, train);
  const Window odd{normal_end, events.size(), true};
  const double spe_odd = pca.spe(log, {odd})[0];
  EXPECT_GT(spe_odd, pca.threshold());
  std::size_t flagged = 0;
  for (double s : spe_train) flagged += s > pca.threshold() ? 1 : 0;
  EXPECT_LE(flagged, train.size() / 5);
  EXPECT_THROW(PcaDetector({.variance = 0}), InvalidArgument);
}

TEST(EventLogOfBgl, ReadsTimesAndLabels) {
  const auto log = event_log(read_log(kBgl.string()), drain_preset("BGL"),
                             {.time = "Timestamp", .label = "Label", .normal = "-"});
  ASSERT_EQ(log.size(), 2000u);
  std::size_t bad = 0;
  for (auto a : log.anomalous) bad += a;
  EXPECT_EQ(bad, 143u);  // lines whose Label is not "-"
  EXPECT_EQ(log.out_of_order, 0u);
  EXPECT_DOUBLE_EQ(log.times[0], 1117838570);
  EXPECT_GT(log.templates.size(), 50u);
  EXPECT_THROW(event_log({"x"}, drain_preset("BGL"), {.time = "Clock", .label = "", .normal = "-"}),
               InvalidArgument);
  const std::vector<std::string> untimed = {
      "- notatime 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS KERNEL INFO hello"};
  EXPECT_THROW(
      event_log(untimed, drain_preset("BGL"), {.time = "Timestamp", .label = "", .normal = "-"}),
      InvalidArgument);
}

TEST(Detect, PcaOnBglWritesAVerdictPerTestLine) {
  const auto log = event_log(read_log(kBgl.string()), drain_preset("BGL"),
                             {.time = "Timestamp", .label = "Label", .normal = "-"});
  Runtime rt{Config{}.with_ncpu(1).without_env()};
  DetectOptions options;
  options.method = "pca";
  options.window = WindowSpec::parse("count:20");
  const auto split = chronological_split(log.size(), 0.6, 0.2);
  const auto report = detect(rt, log, split, options);
  EXPECT_EQ(report.test_windows, 20u);
  ASSERT_EQ(report.lines.size(), 400u);
  EXPECT_EQ(report.lines.front().line_id, 1601u);
  EXPECT_EQ(report.test.tp + report.test.fp + report.test.fn + report.test.tn, 20u);
  std::ostringstream csv;
  write_verdicts(report, csv);
  EXPECT_EQ(csv.str().substr(0, 30), "LineId,Anomalous,Window,Score\n");
  options.method = "loglm";
  options.top_k = 0;
  EventLog unlabelled = log;
  unlabelled.anomalous.clear();
  EXPECT_THROW(detect(rt, unlabelled, split, options), InvalidArgument);
}

}  // namespace
}  // namespace tessera::logs
