#include "lm/lm_jobs.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>

#include <tessera/error.hpp>
#include <tessera/nn/corpus.hpp>
#include <tessera/nn/decoding.hpp>
#include <tessera/nn/evaluation.hpp>
#include <tessera/nn/model_file.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/nn/training.hpp>

namespace tessera::lm {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::vector<std::string> first_lines(const std::vector<std::string>& lines, std::int64_t n) {
  if (n <= 0 || static_cast<std::size_t>(n) >= lines.size()) return lines;
  return {lines.begin(), lines.begin() + n};
}

int cpu_workers(const Runtime& runtime) {
  int n = 0;
  for (const auto& w : runtime.workers()) n += w.arch == Arch::cpu ? 1 : 0;
  return std::max(n, 1);
}

}  // namespace

CorpusText load_corpus(const std::string& corpus) {
  if (corpus.empty()) throw InvalidArgument("lm: no corpus given (--corpus)");
  CorpusText text;
  text.name = corpus;
  const std::filesystem::path dir(corpus);
  if (std::filesystem::is_directory(dir)) {
    if (!std::filesystem::exists(dir / "train.txt")) {
      throw InvalidArgument("lm: corpus directory '" + corpus +
                            "' has no train.txt (make one with: tessera lm corpus --out DIR)");
    }
    text.train = nn::read_split(dir, "train");
    if (std::filesystem::exists(dir / "valid.txt")) text.valid = nn::read_split(dir, "valid");
    if (std::filesystem::exists(dir / "test.txt")) text.test = nn::read_split(dir, "test");
    return text;
  }
  auto splits = nn::load_source(corpus, nn::default_data_dir());
  text.train = std::move(splits.train);
  text.valid = std::move(splits.valid);
  text.test = std::move(splits.test);
  return text;
}

const std::vector<std::string>& split_of(const CorpusText& corpus, const std::string& split) {
  if (split == "train") return corpus.train;
  if (split == "valid") return corpus.valid;
  if (split == "test") return corpus.test;
  throw InvalidArgument("lm: unknown split '" + split + "' (train, valid or test)");
}

void TrainJob::validate() const {
  auto fail = [](const std::string& what) { throw InvalidArgument("lm train: " + what); };
  if (steps < 1 || steps > 1000000000) fail("--steps must be in [1, 1e9]");
  // A batch is sampled into memory at once: 65,536 windows of the largest context are 64 MiB.
  if (batch < 1 || batch > 65536) fail("--batch must be in [1, 65536]");
  if (micro_batches < 0 || micro_batches > batch) fail("--micro-batches must be in [0, --batch]");
  if (sequence < 0) fail("--seq must be >= 0");
  if (vocab < 8 || vocab > 1000000) fail("--vocab must be in [8, 1000000]");
  if (eval_lines < 0 || eval_every < 0) fail("--eval-lines and --eval-every must be >= 0");
  if (!(time_budget >= 0)) fail("--time-budget must be >= 0");
  if (!(learning_rate > 0) || !std::isfinite(learning_rate)) fail("--lr must be a positive number");
  if (warmup < 0) fail("--warmup must be >= 0");
  if (out.empty()) fail("--out is required");
  const auto context = nn::model_size(size, 1000).context;  // an unknown size fails here
  if (sequence > context) {
    fail("--seq " + std::to_string(sequence) + " exceeds the context " + std::to_string(context) +
         " of size '" + size + "'");
  }
}

TrainReport train(Runtime& runtime, const TrainJob& job,
                  const std::function<void(const TrainProgress&)>& on_progress) {
  job.validate();  // before any work: loading a corpus and training a tokenizer take long
  const CorpusText corpus = load_corpus(job.corpus);
  if (corpus.train.empty())
    throw InvalidArgument("lm train: corpus '" + job.corpus + "' has no training line");

  nn::Tokenizer tokenizer =
      job.tokenizer_from.empty()
          ? nn::Tokenizer::train(corpus.train,
                                 {.vocab_size = job.vocab, .seed = static_cast<unsigned>(job.seed)})
          : std::move(nn::load_model(job.tokenizer_from).tokenizer);
  const nn::ModelConfig config = nn::model_size(job.size, tokenizer.vocab_size());
  const std::int64_t sequence = job.sequence > 0 ? job.sequence : config.context;
  const auto stream = nn::encode_lines(tokenizer, corpus.train);
  nn::WindowSampler sampler(stream, sequence, job.seed);

  torch::manual_seed(job.seed);
  nn::DecoderLM model(config);
  nn::TrainOptions options;
  options.micro_batches = job.micro_batches > 0
                              ? job.micro_batches
                              : std::min<std::int64_t>(job.batch, cpu_workers(runtime));
  options.learning_rate = job.learning_rate;
  options.warmup_steps = std::min(job.warmup, job.steps);
  options.total_steps = job.steps;
  nn::TaskTrainer trainer(runtime, model, options);

  std::ofstream log;
  if (!job.log.empty()) {
    if (job.log.has_parent_path()) std::filesystem::create_directories(job.log.parent_path());
    log.open(job.log);
    if (!log) throw InvalidArgument("lm train: cannot write the log '" + job.log.string() + "'");
    log << "step,seconds,tokens,loss,lr,valid_perplexity\n";
  }
  const auto valid_subset = first_lines(corpus.valid, job.eval_lines);
  auto validate_now = [&]() {
    return nn::perplexity_of(
        nn::score_lines(runtime, model, tokenizer, valid_subset, 16, trainer.shards()));
  };

  TrainReport report;
  report.parameters = nn::count_parameters(*model, true);
  double training_seconds = 0;
  double eval_seconds = 0;  // validation time, not counted as training
  const auto started = Clock::now();
  auto next_batch = [&] { return nn::windows_tensor(sampler.sample(job.batch), sequence); };
  // One step in flight while the next batch is sampled and submitted.
  trainer.submit(next_batch());
  for (std::int64_t step = 0; step < job.steps; ++step) {
    const bool eval_due =
        job.eval_every > 0 && (step + 1) % job.eval_every == 0 && !valid_subset.empty();
    const bool more =
        step + 1 < job.steps &&
        !(job.time_budget > 0 && seconds_since(started) - eval_seconds > job.time_budget);
    // Scoring reads this step's parameters: the next step waits until it is done.
    if (more && !eval_due) trainer.submit(next_batch());
    const nn::StepResult r = trainer.next_result();
    report.steps = step + 1;
    report.tokens += r.tokens;
    report.final_loss = r.loss;
    training_seconds = seconds_since(started) - eval_seconds;
    TrainProgress p{step + 1,
                    job.steps,
                    r.loss,
                    training_seconds,
                    static_cast<double>(report.tokens) / std::max(training_seconds, 1e-9),
                    0.0};
    if (eval_due) {
      const auto eval_start = Clock::now();
      p.valid_perplexity = validate_now().perplexity;
      eval_seconds += seconds_since(eval_start);
      if (more) trainer.submit(next_batch());
    }
    if (log) {
      log << p.step << ',' << p.seconds << ',' << report.tokens << ',' << r.loss << ','
          << options.learning_rate_at(step) << ',' << p.valid_perplexity << '\n';
    }
    if (on_progress) on_progress(p);
    if (!more) break;
  }
  report.seconds = training_seconds;
  report.tokens_per_second = static_cast<double>(report.tokens) / std::max(report.seconds, 1e-9);
  if (!valid_subset.empty()) {
    const auto v = validate_now();
    report.valid_loss = v.loss;
    report.valid_perplexity = v.perplexity;
  }
  nlohmann::json notes = {{"corpus", job.corpus},
                          {"steps", report.steps},
                          {"batch", job.batch},
                          {"sequence", sequence},
                          {"learning_rate", job.learning_rate},
                          {"seed", job.seed},
                          {"train_tokens", report.tokens},
                          {"valid_perplexity", report.valid_perplexity}};
  nn::save_model(job.out, nn::LanguageModel{config, std::move(tokenizer), model, notes.dump()});
  return report;
}

ScoreReport score(Runtime& runtime, const std::filesystem::path& model_path,
                  const std::vector<std::string>& lines, const std::filesystem::path& predictions) {
  auto lm = nn::load_model(model_path);
  std::size_t non_empty = 0;
  for (const auto& l : lines) non_empty += l.empty() ? 0 : 1;
  if (non_empty == 0) throw InvalidArgument("lm eval: no line to score (the text is empty)");
  const auto scores = nn::score_lines(runtime, lm.model, lm.tokenizer, lines);
  if (!predictions.empty()) {
    if (predictions.has_parent_path())
      std::filesystem::create_directories(predictions.parent_path());
    std::ofstream out(predictions);
    if (!out) throw InvalidArgument("lm eval: cannot write '" + predictions.string() + "'");
    out << "line,tokens,nats,nats_per_token\n";
    for (std::size_t i = 0; i < scores.size(); ++i) {
      out << i + 1 << ',' << scores[i].tokens << ',' << scores[i].nats << ',' << scores[i].mean()
          << '\n';
    }
  }
  const auto p = nn::perplexity_of(scores);
  return {p.lines, p.tokens, p.loss, p.perplexity};
}

std::string generate(Runtime& runtime, const GenerateJob& job) {
  if (job.tokens < 0) throw InvalidArgument("lm generate: --tokens must be >= 0");
  auto lm = nn::load_model(job.model);
  auto prompt = lm.tokenizer.encode(job.prompt);
  prompt.insert(prompt.begin(), nn::Tokenizer::kEos);  // a line starts after the separator
  const auto ids = nn::generate(
      runtime, lm.model, prompt,
      {.max_new_tokens = job.tokens,
       .stop_at_eos = true,
       .sampling = {.temperature = job.temperature, .top_k = job.top_k, .seed = job.seed}});
  std::vector<int> text;
  for (int id : ids) {
    if (id == nn::Tokenizer::kEos) break;
    text.push_back(id);
  }
  return lm.tokenizer.decode_after(std::span<const int>(prompt).subspan(1), text);
}

std::vector<std::string> describe_sizes(int vocab) {
  std::vector<std::string> rows;
  for (const auto& name : nn::model_sizes()) {
    const auto c = nn::model_size(name, vocab);
    char line[160];
    std::snprintf(
        line, sizeof line,
        "%-7s %10.2f M  context %4lld  d_model %4lld  layers %2lld  heads %2lld  d_ff %5lld",
        name.c_str(), static_cast<double>(c.decoder_parameters()) / 1e6,
        static_cast<long long>(c.context), static_cast<long long>(c.d_model),
        static_cast<long long>(c.n_layers), static_cast<long long>(c.n_heads),
        static_cast<long long>(c.d_ff));
    rows.emplace_back(line);
  }
  return rows;
}

}  // namespace tessera::lm
