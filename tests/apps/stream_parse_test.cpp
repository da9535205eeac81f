#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <logs/drain.hpp>
#include <logs/replay.hpp>
#include <logs/stream_parse.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

namespace tessera::logs {
namespace {

const std::filesystem::path kData = TESSERA_SOURCE_DIR "/data/loghub";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Per input line: its template ("" for a line that did not match), from the cluster ids.
std::vector<std::string> templates_per_line(const StreamParse& parse, const std::string& ids) {
  std::vector<std::string> out;
  for (std::size_t k = 0; k + 4 <= ids.size(); k += 4) {
    std::uint32_t id = 0;
    std::memcpy(&id, ids.data() + k, 4);
    out.push_back(id == kNoCluster ? "" : parse.events.at(parse.event_of_cluster.at(id)));
  }
  return out;
}

StreamParseOptions chunks_of(std::size_t bytes, std::size_t partitions = 16,
                             std::size_t max_line_bytes = std::size_t{64} << 20) {
  StreamParseOptions o;
  o.chunk_bytes = bytes;
  o.partitions = partitions;
  o.max_line_bytes = max_line_bytes;
  return o;
}

StreamParse parse_text(const std::string& text, const DrainPreset& preset, int workers,
                       StreamParseOptions options, std::string* ids = nullptr) {
  Runtime rt{Config{}.with_ncpu(workers).without_env()};
  std::istringstream in(text);
  std::ostringstream out;
  auto parse = parse_stream(rt, in, preset, &out, options);
  if (ids) *ids = out.str();
  return parse;
}

// Partitions by token count never share a cluster, so the parallel parse is sequential
// Drain exactly: on every shipped sample, with small chunks (many chunk boundaries), on one
// and on two workers.
TEST(StreamParse, EqualsSequentialDrainOnEverySample) {
  for (const bool improved : {false, true}) {
    for (auto preset : drain_presets()) {
      preset.options.improved = improved;
      const auto path = kData / preset.system / (preset.system + "_2k.log");
      if (!std::filesystem::exists(path)) continue;  // Thunderbird has no sample here
      const auto lines = read_log(path.string());
      const auto sequential = parse_lines(lines, preset);
      for (int workers : {1, 2}) {
        std::string ids;
        const auto parse = parse_text(slurp(path), preset, workers, chunks_of(8192, 7), &ids);
        ASSERT_EQ(parse.lines, lines.size()) << preset.system;
        EXPECT_EQ(parse.skipped, sequential.skipped) << preset.system;
        std::vector<std::string> kept;
        for (auto& t : templates_per_line(parse, ids)) {
          if (!t.empty()) kept.push_back(t);
        }
        EXPECT_EQ(kept, sequential.templates)
            << preset.system << (improved ? " (improved)" : "") << " on " << workers << " workers";
      }
    }
  }
}

TEST(StreamParse, WritesTheSameFilesAsTheInMemoryParse) {
  const auto path = kData / "HDFS" / "HDFS_2k.log";
  const auto& preset = drain_preset("HDFS");
  const auto dir = std::filesystem::temp_directory_path() / "tessera_stream_parse";
  write_structured(parse_lines(read_log(path.string()), preset), dir.string(), "mem");
  std::string ids;
  const auto parse = parse_text(slurp(path), preset, 2, chunks_of(4096), &ids);
  std::ifstream log(path, std::ios::binary);
  std::istringstream id_stream(ids);
  std::ostringstream structured, templates;
  write_structured_stream(log, id_stream, parse, LogFormat(preset.format), structured);
  write_templates(parse, templates);
  EXPECT_EQ(structured.str(), slurp(dir / "mem_structured.csv"));
  EXPECT_EQ(templates.str(), slurp(dir / "mem_templates.csv"));
}

TEST(StreamParse, ReadsEveryLineShapeAndCountsTheOnesThatDoNotFit) {
  const auto& preset = drain_preset("HDFS");
  const std::string good = "081109 203615 148 INFO dfs.DataNode: Served block blk_1 to /10.0.0.1";
  // CRLF, a binary record, an empty line, prose, and a last line without a line end.
  const std::string text =
      good + "\r\n" + std::string("\0\x01\x02", 3) + "\n\nhello there\n" + good;
  std::string ids;
  const auto parse = parse_text(text, preset, 2, chunks_of(16), &ids);
  EXPECT_EQ(parse.lines, 5u);
  EXPECT_EQ(parse.skipped, 3u);
  const auto per_line = templates_per_line(parse, ids);
  ASSERT_EQ(per_line.size(), 5u);
  EXPECT_EQ(per_line[0], "Served block <*> to /<*>");
  EXPECT_EQ(per_line[1], "");
  EXPECT_EQ(per_line[4], per_line[0]);
  EXPECT_EQ(parse.occurrences, std::vector<std::uint64_t>{2});

  const auto empty = parse_text("", preset, 1, {});
  EXPECT_EQ(empty.lines, 0u);
  EXPECT_TRUE(empty.events.empty());
}

TEST(StreamParse, RefusesALineLongerThanTheLimitNamingIt) {
  const std::string text = "a\nb\n" + std::string(5000, 'x') + "\n";
  try {
    parse_text(text, drain_preset("HDFS"), 2, chunks_of(64, 16, 1024));
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 3 is longer than 1024 bytes"), std::string::npos)
        << e.what();
  }
}

TEST(StreamParse, ReportsProgressAndSpotsBinaryFiles) {
  std::ostringstream big;
  replay_log(read_log((kData / "HDFS" / "HDFS_2k.log").string()), 20000, 7, big);
  int reports = 0;
  StreamParseOptions options = chunks_of(1 << 14);
  options.progress_seconds = 1e-9;
  options.on_progress = [&](const StreamProgress& p) {
    ++reports;
    EXPECT_LE(p.lines, 20000u);
  };
  const auto parse = parse_text(big.str(), drain_preset("HDFS"), 2, options);
  EXPECT_EQ(parse.lines, 20000u);
  EXPECT_EQ(parse.skipped, 0u);
  EXPECT_GT(reports, 10);

  std::istringstream text("plain text\n"), binary(std::string("ELF\0\0\0", 6));
  EXPECT_FALSE(looks_binary(text));
  EXPECT_TRUE(looks_binary(binary));
}

TEST(Replay, KeepsTheWordsAndChangesTheNumbers) {
  const std::vector<std::string> sample = {"block blk_123 size 4096", "no digits here"};
  std::ostringstream a, b, c;
  replay_log(sample, 5, 1, a);
  replay_log(sample, 5, 1, b);
  replay_log(sample, 5, 2, c);
  EXPECT_EQ(a.str(), b.str());
  EXPECT_NE(a.str(), c.str());
  std::istringstream lines(a.str());
  std::vector<std::string> got;
  for (std::string l; std::getline(lines, l);) got.push_back(l);
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[1], "no digits here");
  ASSERT_EQ(got[2].size(), sample[0].size());
  EXPECT_EQ(got[2].substr(0, 10), "block blk_");
  EXPECT_NE(got[2][10], '0');  // a leading digit stays non-zero
  EXPECT_THROW(replay_log({}, 1, 1, a), InvalidArgument);
}

// With the labelled CSV, only the header fields and the template's <*> change: a message's
// constant numbers ("generated 8 core files") stay, so the replay has the sample's events.
TEST(Replay, ChangesOnlyVariablesWithTheLabelledTemplates) {
  const std::vector<std::string> sample = {"2005 nodeA ciod: generated 8 core files for 4711",
                                           "2006 nodeB odd line"};
  const auto csv = std::filesystem::temp_directory_path() / "tessera-replay-test.csv";
  {
    std::ofstream out(csv);
    out << "LineId,Year,Node,Content,EventId,EventTemplate\n"
        << "1,2005,nodeA,ciod: generated 8 core files for 4711,E1,ciod: generated 8 core files "
           "for <*>\n"
        << "2,2006,nodeB,another content,E2,another content\n";
  }
  std::size_t unmatched = 0;
  const auto spans = variable_spans(sample, csv.string(), &unmatched);
  EXPECT_EQ(unmatched, 1u);  // the second row's content is not in its line
  ASSERT_EQ(spans.size(), 2u);
  std::ostringstream out;
  replay_log(sample, spans, 2, 9, out);
  std::istringstream lines(out.str());
  std::string first, second;
  std::getline(lines, first);
  std::getline(lines, second);
  ASSERT_EQ(first.size(), sample[0].size());
  EXPECT_EQ(first.substr(4, 32), " nodeA ciod: generated 8 core fi");
  EXPECT_NE(first.substr(0, 4) + first.substr(first.size() - 4), "20054711");
  EXPECT_EQ(second.substr(4), " nodeB odd line");
  std::ofstream(csv) << "LineId,Content\n1,x\n";
  EXPECT_THROW(variable_spans(sample, csv.string()), InvalidArgument);  // no EventTemplate
  std::filesystem::remove(csv);
}

// The shipped BGL sample: every line fits its labelled template.
TEST(Replay, FindsTheVariablesOfEveryShippedBglLine) {
  const auto log = kData / "BGL" / "BGL_2k.log";
  std::size_t unmatched = 99;
  const auto spans =
      variable_spans(read_log(log.string()), log.string() + "_structured.csv", &unmatched);
  EXPECT_EQ(spans.size(), 2000u);
  EXPECT_EQ(unmatched, 0u);
}

// The plain-format splitter gives the regex's fields on every line of every shipped sample.
TEST(LogFormat, PlainSplitEqualsTheRegexOnEverySample) {
  std::size_t plain = 0;
  for (const auto& preset : drain_presets()) {
    const LogFormat format(preset.format);
    plain += format.plain();
    const auto path = kData / preset.system / (preset.system + "_2k.log");
    if (!std::filesystem::exists(path)) continue;
    std::vector<std::string> fields;
    for (const auto& line : read_log(path.string())) {
      std::string_view s = line;
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
      while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
      const auto m = format.regex().match(s);
      ASSERT_EQ(format.split(line, fields), m.has_value()) << preset.system << ": " << line;
      if (!m) continue;
      for (std::size_t h = 0; h < fields.size(); ++h) {
        const auto& g = (*m)[static_cast<std::size_t>(format.regex().group(format.headers()[h]))];
        EXPECT_EQ(fields[h], g ? std::string(*g) : std::string()) << preset.system << ": " << line;
      }
    }
  }
  EXPECT_GE(plain, 10u);  // most presets' formats are plain
  // A format with regex syntax between fields is not plain, and still splits.
  const LogFormat optional_pid(R"(<Component>(\[<PID>\])?: <Content>)");
  EXPECT_FALSE(optional_pid.plain());
  std::vector<std::string> fields;
  ASSERT_TRUE(optional_pid.split("sshd[42]: hello there", fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"sshd", "42", "hello there"}));
  const LogFormat brackets(R"(\[<Time>\] <Level>: <Content>)");
  EXPECT_TRUE(brackets.plain());
  ASSERT_TRUE(brackets.split("  [12:00]  WARN: a: b  ", fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"12:00", "WARN", "a: b"}));
  EXPECT_FALSE(brackets.split("[12:00 WARN: a", fields));
}

}  // namespace
}  // namespace tessera::logs
