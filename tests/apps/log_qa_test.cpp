// Log question answering: the QA file reader, SQuAD's metrics, log-aware terms, the Xapian
// index (built as tasks, reopened), answer candidates and the slot reader.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <logs/answer_candidates.hpp>
#include <logs/log_qa.hpp>
#include <logs/log_terms.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

namespace {

using namespace tessera;
using namespace tessera::logs;

const std::filesystem::path kData = TESSERA_SOURCE_DIR "/data";

bool contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(QaData, SkipsBadLinesNamingThem) {
  const auto file = parse_qa_text(
      "{\"Question\": \"q1\", \"Answer\": \"a\", \"RawLog\": \"x a\"}\n"
      "not json\n"
      "\n"
      "{\"Question\": \"q2\", \"RawLog\": \"y\"}\n"
      "[1, 2]\n"
      "{\"Question\": \"q3\", \"Answer\": \"b\", \"RawLog\": \"b c\"}",
      "qa.jsonl");
  ASSERT_EQ(file.examples.size(), 2u);
  EXPECT_EQ(file.examples[1].question, "q3");
  EXPECT_EQ(file.examples[1].line, 6u);
  ASSERT_EQ(file.skipped.size(), 3u);
  EXPECT_EQ(file.skipped[0], "qa.jsonl:2: not valid JSON");
  EXPECT_EQ(file.skipped[1], "qa.jsonl:4: no string field Answer");
  EXPECT_EQ(file.skipped[2], "qa.jsonl:5: not a JSON object");
  EXPECT_THROW(read_qa_file("/nonexistent/qa.jsonl"), InvalidArgument);
}

TEST(QaData, SquadMetrics) {
  EXPECT_EQ(normalize_answer("The  Block, Received!"), "block received");
  EXPECT_TRUE(exact_match("287.0 B", "2870 b"));
  EXPECT_FALSE(exact_match("287.0", "287.0 B"));
  EXPECT_DOUBLE_EQ(token_f1("287.0 B", "287.0 B"), 1.0);
  EXPECT_NEAR(token_f1("287.0", "287.0 B"), 2.0 / 3.0, 1e-12);
  EXPECT_DOUBLE_EQ(token_f1("x", "y"), 0.0);
}

TEST(LogTerms, IdentifiersGiveWholeFormAndPieces) {
  const auto t = log_terms("Received block blk_-6369730481066968769 from /10.250.7.146:50010.");
  EXPECT_TRUE(contains(t, "blk_-6369730481066968769"));
  EXPECT_TRUE(contains(t, "6369730481066968769"));
  EXPECT_TRUE(contains(t, "blk"));
  EXPECT_TRUE(contains(t, "/10.250.7.146:50010"));
  EXPECT_TRUE(contains(t, "50010"));
  EXPECT_TRUE(contains(t, "received"));
  EXPECT_TRUE(contains(t, "Zreceiv"));  // the stem
  const auto q = question_terms("What is the status of the block blk_-1?");
  EXPECT_FALSE(contains(q, "what"));
  EXPECT_FALSE(contains(q, "the"));
  EXPECT_TRUE(contains(q, "status"));
  EXPECT_TRUE(contains(q, "blk_-1"));
}

TEST(AnswerCandidates, UnitsFollowTheTemplate) {
  const std::string content = "Failed password for uucp from 103.207.39.16 port 42435 ssh2";
  const auto units = answer_units(content, "Failed password for <*> from <*> port <*> ssh2");
  ASSERT_EQ(units.size(), 9u);
  EXPECT_FALSE(units[0].variable);
  EXPECT_TRUE(units[3].variable);
  EXPECT_EQ(first_variable(content, units), "uucp");
  const auto kv = answer_units("logname= uid=0 user=root", "");
  ASSERT_EQ(kv.size(), 5u);  // logname, uid, 0, user, root
  EXPECT_EQ(std::string("logname= uid=0 user=root").substr(kv[4].begin, kv[4].end - kv[4].begin),
            "root");
  const auto spans =
      answer_candidates("size 287.0 B, free", answer_units("size 287.0 B, free", ""));
  EXPECT_TRUE(
      std::any_of(spans.begin(), spans.end(), [](const auto& c) { return c.text == "287.0 B"; }));
  const auto features = candidate_features("How big?", "size 287.0 B, free",
                                           answer_units("size 287.0 B, free", ""), spans);
  ASSERT_EQ(features.size(), spans.size());
  for (const auto& row : features) {
    EXPECT_TRUE(std::is_sorted(row.begin(), row.end()));
    EXPECT_GE(row.size(), kDenseFeatures);
  }
}

class LogIndexTest : public ::testing::Test {
 protected:
  std::filesystem::path dir = std::filesystem::temp_directory_path() / "tessera-log-qa-test";
  std::filesystem::path log = dir / "HDFS_small.log";
  void SetUp() override {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    std::ofstream out(log);
    out << "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
           "blk_38 terminating\n"
        << "081109 203807 222 INFO dfs.DataNode$PacketResponder: PacketResponder 0 for block "
           "blk_-65 terminating\n"
        << "081109 204005 35 INFO dfs.FSNamesystem: BLOCK* NameSystem.addStoredBlock: blockMap "
           "updated: "
           "10.251.73.220:50010 is added to blk_71 size 67108864\n"
        << "not a line of the format\n";
  }
  void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(LogIndexTest, BuildsAsTasksSearchesAndReopens) {
  Runtime rt{Config{}.with_ncpu(2).without_env()};
  LogIndexOptions options;
  options.preset = preset_for_log(log.string(), "");
  options.chunk_lines = 1;  // one chunk a line: several tasks in flight
  EXPECT_EQ(options.preset.system, "HDFS");
  const auto built = LogIndex::build(rt, log.string(), (dir / "idx").string(), options);
  EXPECT_EQ(built.lines(), 4u);
  const auto hits = built.search("What is the status of the block blk_-65?", 3);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits[0].line, 1u);
  const auto line = built.line(1);
  EXPECT_EQ(line.content, "PacketResponder 0 for block blk_-65 terminating");
  EXPECT_NE(line.event.find("<*>"), std::string::npos);
  EXPECT_EQ(built.line(3).content, "not a line of the format");  // no format match: the whole line
  EXPECT_TRUE(built.search("zebra?", 3).empty());

  const auto reopened = LogIndex::open((dir / "idx").string());
  EXPECT_EQ(reopened.lines(), 4u);
  EXPECT_EQ(reopened.search("size of blk_71", 1).at(0).line, 2u);
  EXPECT_EQ(reopened.line(1).event, line.event);
  EXPECT_THROW(reopened.line(4), InvalidArgument);
  EXPECT_THROW(LogIndex::open((dir / "none").string()), InvalidArgument);
}

TEST_F(LogIndexTest, RefusesEmptyAndBinaryLogs) {
  Runtime rt{Config{}.with_ncpu(1).without_env()};
  std::ofstream(dir / "empty.log").close();
  EXPECT_THROW(LogIndex::build(rt, (dir / "empty.log").string(), "", {}), InvalidArgument);
  std::ofstream(dir / "binary.log") << std::string("a\0b\n", 4);
  EXPECT_THROW(LogIndex::build(rt, (dir / "binary.log").string(), "", {}), InvalidArgument);
  EXPECT_THROW(LogIndex::build(rt, (dir / "missing.log").string(), "", {}), InvalidArgument);
}

TEST_F(LogIndexTest, SlotReaderLearnsWhichSlotAQuestionAsks) {
  Runtime rt{Config{}.with_ncpu(1).without_env()};
  LogIndexOptions options;
  options.preset = preset_for_log(log.string(), "");
  const auto index = LogIndex::build(rt, log.string(), "", options);
  std::vector<QaExample> train = {
      {"What is the status of the block blk_38?", "terminating",
       "PacketResponder 1 for block blk_38 terminating", 1},
      {"Which responder handled blk_-65?", "PacketResponder 0",
       "PacketResponder 0 for block blk_-65 terminating", 2},
      {"What is the size of blk_71?", "67108864", "is added to blk_71 size 67108864", 3}};
  const auto examples = reading_examples(index, train);
  ASSERT_EQ(examples.size(), 3u);
  EXPECT_EQ(examples[2].content.rfind("BLOCK*", 0), 0u);  // the gold line's whole content
  std::size_t usable = 0;
  const auto model = SlotReader::train(examples, {.rounds = 20, .depth = 3}, &usable);
  EXPECT_EQ(usable, 3u);
  const auto path = (dir / "slots.json").string();
  model.save(path);
  const auto reader = slot_reader(std::make_shared<SlotReader>(SlotReader::load(path)));
  const auto report = evaluate_qa(index, reader, train);
  EXPECT_EQ(report.questions, 3u);
  EXPECT_DOUBLE_EQ(report.recall_at_1, 1.0);
  EXPECT_DOUBLE_EQ(report.exact_match, 1.0);  // the training questions themselves
  const auto baseline = evaluate_qa(index, first_variable_reader(), train);
  EXPECT_LT(baseline.exact_match, 1.0);
  std::ofstream(dir / "bad.json") << "{\"format\": \"something else\"}";
  EXPECT_THROW(SlotReader::load((dir / "bad.json").string()), InvalidArgument);
  EXPECT_THROW(SlotReader::load((dir / "missing.json").string()), InvalidArgument);
}

// The shipped model on the validation split (a regression guard, far below the measured
// figures of bench/results/logqa-*: those are the benchmark's to report).
TEST(ShippedSlotReader, AnswersMostHdfsValidationQuestions) {
  const auto model = kData / "models" / "logqa-slots.json";
  const auto qa = kData / "logqa" / "HDFS" / "qa.val.jsonl";
  Runtime rt{Config{}.with_ncpu(1).without_env()};
  LogIndexOptions options;
  const auto log = kData / "loghub" / "HDFS" / "HDFS_2k.log";
  options.preset = preset_for_log(log.string(), "");
  const auto index = LogIndex::build(rt, log.string(), "", options);
  const auto report = evaluate_qa(
      index, slot_reader(std::make_shared<SlotReader>(SlotReader::load(model.string()))),
      read_qa_file(qa.string()).examples);
  EXPECT_EQ(report.questions, 24u);
  EXPECT_GT(report.exact_match, 0.5);
}

}  // namespace
