#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include <lm/lm_jobs.hpp>
#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

#include "test_support.hpp"

namespace tessera::lm {
namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

class LmJobs : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ =
        std::filesystem::temp_directory_path() / ("tessera_lm_jobs_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "corpus");
    // A corpus with the layout `tessera lm corpus` writes: repetitive enough that a tiny
    // model learns it in a few steps.
    // Training lines have a tile below 3, validation and test lines tiles 3 and 4: no line
    // of the evaluation splits is a training line.
    auto write = [&](const char* split, int count, int tile_base, int tiles) {
      std::ofstream out(dir_ / "corpus" / (std::string(split) + ".txt"));
      for (int i = 0; i < count; ++i) {
        out << "worker " << i % 4 << " runs task " << i % 7 << " on tile " << tile_base + i % tiles
            << "\n";
      }
    };
    write("train", 600, 0, 3);
    write("valid", 40, 3, 1);
    write("test", 40, 4, 1);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  TrainJob tiny_job() {
    TrainJob job;
    job.corpus = (dir_ / "corpus").string();
    job.size = "tiny";
    job.steps = 30;
    job.batch = 4;
    job.sequence = 16;
    job.vocab = 40;
    job.warmup = 3;
    job.out = dir_ / "tiny.lm";
    job.log = dir_ / "log.csv";
    return job;
  }
  std::filesystem::path dir_;
};

TEST_F(LmJobs, TrainScoreAndGenerateThroughModelFiles) {
  Runtime rt(tessera::testing::test_config("lws", 2));
  std::vector<std::int64_t> steps_seen;
  const auto report =
      train(rt, tiny_job(), [&](const TrainProgress& p) { steps_seen.push_back(p.step); });
  EXPECT_EQ(report.steps, 30);
  EXPECT_EQ(steps_seen.size(), 30u);
  EXPECT_EQ(report.tokens, 30 * 4 * 16);
  EXPECT_GT(report.valid_perplexity, 1.0);
  EXPECT_LT(report.valid_perplexity, 25.0);  // well below the vocabulary of 40: it learned
  ASSERT_TRUE(std::filesystem::exists(dir_ / "tiny.lm"));
  std::ifstream log(dir_ / "log.csv");
  std::string header;
  std::getline(log, header);
  EXPECT_EQ(header, "step,seconds,tokens,loss,lr,valid_perplexity");

  const auto corpus = load_corpus((dir_ / "corpus").string());
  const auto scored = score(rt, dir_ / "tiny.lm", corpus.test, dir_ / "pred.csv");
  EXPECT_EQ(scored.lines, 40);
  EXPECT_NEAR(scored.perplexity, report.valid_perplexity,
              0.5 * report.valid_perplexity);  // same text
  std::ifstream pred(dir_ / "pred.csv");
  std::string line;
  int rows = -1;
  while (std::getline(pred, line)) ++rows;
  EXPECT_EQ(rows, 40);

  const auto text =
      generate(rt, {.model = dir_ / "tiny.lm", .prompt = "worker 1 runs", .tokens = 12});
  // The continuation starts a new word: sentencepiece drops a first piece's word boundary
  // when it is decoded alone, and generate must not glue it onto the prompt.
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text[0], ' ') << "'" << text << "'";
}

TEST_F(LmJobs, TrainingIsReproducible) {
  Runtime two(tessera::testing::test_config("dmdas", 2));
  Runtime one(tessera::testing::test_config("eager", 1));
  auto a = tiny_job();
  auto b = tiny_job();
  b.out = dir_ / "b.lm";
  b.micro_batches = 2;  // the same cut of the batch on one worker as on two
  a.micro_batches = 2;
  const auto ra = train(two, a);
  const auto rb = train(one, b);
  EXPECT_DOUBLE_EQ(ra.final_loss, rb.final_loss);
  EXPECT_DOUBLE_EQ(ra.valid_perplexity, rb.valid_perplexity);
}

TEST_F(LmJobs, BadInputsAreClearErrors) {
  Runtime rt(tessera::testing::test_config("eager", 1));
  auto job = tiny_job();
  job.corpus = (dir_ / "missing").string();
  EXPECT_NE(error_of([&] { train(rt, job); }).find("unknown source"), std::string::npos);
  job = tiny_job();
  job.size = "enormous";
  EXPECT_NE(error_of([&] { train(rt, job); }).find("unknown model size 'enormous'"),
            std::string::npos);
  job = tiny_job();
  job.sequence = 1000;
  EXPECT_NE(error_of([&] { train(rt, job); }).find("exceeds the context"), std::string::npos);
  job = tiny_job();
  job.steps = 0;
  EXPECT_NE(error_of([&] { train(rt, job); }).find("--steps"), std::string::npos);

  std::ofstream(dir_ / "corrupt.lm") << "TESSERALM" << std::string(40, 'x');
  const std::vector<std::string> lines = {"worker 1"};
  EXPECT_NE(error_of([&] { score(rt, dir_ / "corrupt.lm", lines); }).find("corrupt.lm"),
            std::string::npos);
  job = tiny_job();
  job.tokenizer_from = (dir_ / "corrupt.lm").string();
  EXPECT_NE(error_of([&] { train(rt, job); }).find("corrupt.lm"), std::string::npos);
  EXPECT_NE(error_of([&] {
              split_of(load_corpus((dir_ / "corpus").string()), "dev");
            }).find("unknown split"),
            std::string::npos);
}

}  // namespace
}  // namespace tessera::lm
