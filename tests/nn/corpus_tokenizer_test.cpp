#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include <tessera/error.hpp>
#include <tessera/nn/corpus.hpp>
#include <tessera/nn/tokenizer.hpp>

#include "nn_test_support.hpp"

namespace tessera::nn {
namespace {

TEST(Tokenizer, TrainsEncodesAndDecodesBack) {
  const auto lines = testing::toy_lines();
  const auto tok = Tokenizer::train(lines, {.vocab_size = 60});
  EXPECT_LE(tok.vocab_size(), 60);
  const auto ids = tok.encode(lines[42]);
  EXPECT_FALSE(ids.empty());
  EXPECT_EQ(tok.decode(ids), lines[42]);
  for (int id : ids) EXPECT_GT(id, Tokenizer::kPad);  // no unknown piece in training text
}

TEST(Tokenizer, SameLinesAndSeedGiveTheSameTokenizer) {
  const auto lines = testing::toy_lines();
  const auto a = Tokenizer::train(lines, {.vocab_size = 60});
  const auto b = Tokenizer::train(lines, {.vocab_size = 60});
  EXPECT_EQ(a.serialized(), b.serialized());
  const auto c = Tokenizer::from_serialized(a.serialized(), "copy");
  EXPECT_EQ(c.encode("the worker waits for a vector"), a.encode("the worker waits for a vector"));
}

TEST(Tokenizer, BadInputIsAnError) {
  EXPECT_THROW(Tokenizer::from_serialized("garbage", "x.lm"), InvalidArgument);
  const std::vector<std::string> empty = {"", ""};
  EXPECT_THROW(Tokenizer::train(empty), InvalidArgument);
  const auto tok = Tokenizer::train(testing::toy_lines(), {.vocab_size = 60});
  const std::vector<int> bad = {5, 100000};
  EXPECT_THROW(tok.decode(bad), InvalidArgument);
}

TEST(Corpus, SplitsAreDisjointDeterministicAndInBlocks) {
  std::vector<std::string> lines;
  for (int i = 0; i < 4000; ++i) lines.push_back("line " + std::to_string(i));
  const auto s = split_lines(lines, 50);
  EXPECT_EQ(s.train.size() + s.valid.size() + s.test.size(), lines.size());
  EXPECT_EQ(s.valid.size(), 200u);
  EXPECT_EQ(s.test.size(), 200u);
  std::set<std::string> train(s.train.begin(), s.train.end());
  for (const auto& l : s.test) EXPECT_EQ(train.count(l), 0u);
  EXPECT_EQ(s.test.front(), "line 950");  // the 20th block of 50
  const auto again = split_lines(lines, 50);
  EXPECT_EQ(again.test, s.test);
}

TEST(Corpus, LogSourcesComeFromTheProjectData) {
  const auto s = load_source("logs:HDFS", TESSERA_SOURCE_DIR "/data");
  EXPECT_GT(s.train.size(), 1500u);
  EXPECT_GT(s.test.size(), 50u);
  EXPECT_NE(s.train.front().find("PacketResponder"), std::string::npos);
}

TEST(Corpus, BadSourcesNameTheProblem) {
  const auto dir = std::filesystem::temp_directory_path() / "tessera_corpus_test";
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "binary.bin", std::ios::binary) << std::string("ab\0cd", 5);
    std::ofstream(dir / "empty.txt");
  }
  auto message = [](auto fn) {
    try {
      fn();
    } catch (const InvalidArgument& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { read_lines(dir / "binary.bin"); }).find("is not a text file"),
            std::string::npos);
  EXPECT_NE(message([&] { read_lines(dir / "empty.txt"); }).find("has no text"), std::string::npos);
  EXPECT_NE(message([&] { load_source("/no/such/corpus.txt", "."); }).find("unknown source"),
            std::string::npos);
  EXPECT_NE(
      message([&] { load_source("logs:Nope", TESSERA_SOURCE_DIR "/data"); }).find("no log sample"),
      std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST(Corpus, WindowsAreReproducible) {
  std::vector<std::int32_t> stream(1000);
  for (int i = 0; i < 1000; ++i) stream[static_cast<std::size_t>(i)] = i;
  WindowSampler a(stream, 8, 5), b(stream, 8, 5);
  EXPECT_EQ(a.sample(4), b.sample(4));
  EXPECT_EQ(a.windows(), 124);
  EXPECT_EQ(a.window(2).front(), 16);
  EXPECT_EQ(a.window(2).size(), 9u);
  const std::vector<std::int32_t> tiny(5);
  EXPECT_THROW(WindowSampler(tiny, 8, 1), InvalidArgument);
}

}  // namespace
}  // namespace tessera::nn
