#pragma once
// The jobs behind `tessera lm`: make a corpus, train a language model, score text with it,
// generate from it. Plain data in and out (no LibTorch in this header), so that the command
// line and the benchmarks stay cheap to compile.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <tessera/runtime.hpp>

namespace tessera::lm {

// A corpus: a directory holding train.txt, valid.txt and test.txt (what `tessera lm corpus`
// writes), or a source that is split on the fly ("kjv", "logs", "logs:<System>", a file).
struct CorpusText {
  std::string name;
  std::vector<std::string> train, valid, test;
};
CorpusText load_corpus(const std::string& corpus);
// The lines of one split ("train", "valid" or "test"); throws naming the split otherwise.
const std::vector<std::string>& split_of(const CorpusText& corpus, const std::string& split);

struct TrainJob {
  std::string corpus;
  std::string size = "tiny";
  std::int64_t steps = 200;
  std::int64_t batch = 16;         // windows per step
  std::int64_t micro_batches = 0;  // 0: one per CPU worker
  std::int64_t sequence = 0;       // window length; 0: the model's context
  double learning_rate = 3e-3;
  std::int64_t warmup = 20;
  int vocab = 1000;
  std::string tokenizer_from;  // a model file whose tokenizer to reuse
  std::uint64_t seed = 1;
  std::int64_t eval_lines = 500;  // validation lines scored at the end (0: all)
  std::int64_t eval_every = 0;    // also score validation every this many steps
  std::filesystem::path out;      // the model file
  std::filesystem::path log;      // optional CSV: step, seconds, tokens, loss, lr, valid ppl
  double time_budget = 0;         // > 0: stop after this many seconds of training

  void validate() const;
};

struct TrainProgress {
  std::int64_t step = 0, steps = 0;
  double loss = 0;
  double seconds = 0;
  double tokens_per_second = 0;
  double valid_perplexity = 0;  // 0 when not measured at this step
};

struct TrainReport {
  std::int64_t parameters = 0;
  std::int64_t steps = 0;
  std::int64_t tokens = 0;
  double seconds = 0;  // training time (validation excluded)
  double tokens_per_second = 0;
  double final_loss = 0;
  double valid_loss = 0;
  double valid_perplexity = 0;
};

// Trains on the corpus' train split, scores the validation split, writes job.out.
TrainReport train(Runtime& runtime, const TrainJob& job,
                  const std::function<void(const TrainProgress&)>& on_progress = {});

struct ScoreReport {
  std::int64_t lines = 0, tokens = 0;
  double loss = 0, perplexity = 0;
};
// Scores every line of `lines` with the model file; with `predictions`, writes a CSV of
// line (1-based), tokens, nats, nats_per_token.
ScoreReport score(Runtime& runtime, const std::filesystem::path& model,
                  const std::vector<std::string>& lines,
                  const std::filesystem::path& predictions = {});

struct GenerateJob {
  std::filesystem::path model;
  std::string prompt;
  std::int64_t tokens = 64;
  double temperature = 0.0;
  std::int64_t top_k = 0;
  std::uint64_t seed = 1;
};
std::string generate(Runtime& runtime, const GenerateJob& job);

// "name  parameters  context  d_model  layers  heads  d_ff" for each named size.
std::vector<std::string> describe_sizes(int vocab);

}  // namespace tessera::lm
