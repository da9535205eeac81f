// bench/lm: the LibTorch layer's benchmark (issue: learning workloads on Tessera).
//
//   throughput  training tokens/s of each model size: Tessera's task graph (2 CPU workers,
//               one intra-op thread each, the batch cut into micro-batches) against a plain
//               single-process LibTorch loop with 2 intra-op threads on the whole batch;
//               same initial weights, same batches, alternated runs, median of --repeats
//   decode      the cost of one decoding step (batch 1, greedy, key/value cache) per size
//   quality     validation perplexity of each size after a fixed training-time budget, and
//               the loss-against-time curves (loss.svg)
//
//   build/bin/tessera-bench-lm --out DIR [--corpus kjv] [--sizes tiny,small,medium,large]
//       [--parts throughput,decode,quality] [--repeats 3] [--budget 90]

#include "common/list_option.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <bench/svg_charts.hpp>
#include <lm/lm_jobs.hpp>
#include <tessera/nn/corpus.hpp>
#include <tessera/nn/decoding.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/nn/training.hpp>
#include <tessera/tessera.hpp>

#include <ATen/Parallel.h>

namespace {

using Clock = std::chrono::steady_clock;
using namespace tessera;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

// Steps timed per run: about the same seconds for every size.
std::int64_t timed_steps(const std::string& size) {
  if (size == "tiny") return 60;
  if (size == "small") return 24;
  if (size == "medium") return 8;
  return 3;
}

// The peak learning rate of each size, fixed beforehand (smaller for wider models).
double learning_rate(const std::string& size) {
  if (size == "tiny") return 3e-3;
  if (size == "small") return 2e-3;
  if (size == "medium") return 1e-3;
  return 6e-4;
}

struct Batches {
  std::vector<torch::Tensor> list;
};

Batches make_batches(const std::vector<std::int32_t>& stream, std::int64_t seq, std::int64_t batch,
                     std::int64_t count) {
  nn::WindowSampler sampler(stream, seq, 42);
  Batches b;
  for (std::int64_t i = 0; i < count; ++i)
    b.list.push_back(nn::windows_tensor(sampler.sample(batch), seq));
  return b;
}

double tessera_tokens_per_second(const nn::ModelConfig& config, const Batches& batches,
                                 std::int64_t warm, std::int64_t micro, const std::string& sched) {
  torch::manual_seed(1);
  nn::DecoderLM model(config);
  Runtime rt(Config{}.with_ncpu(2).with_ncuda(0).with_sched(sched).without_env());
  nn::TaskTrainer trainer(rt, model, {.micro_batches = micro});
  for (std::int64_t i = 0; i < warm; ++i) trainer.step(batches.list[static_cast<std::size_t>(i)]);
  const auto start = Clock::now();
  std::int64_t tokens = 0;
  for (std::size_t i = static_cast<std::size_t>(warm); i < batches.list.size(); ++i)
    trainer.submit(batches.list[i]);
  for (std::size_t i = static_cast<std::size_t>(warm); i < batches.list.size(); ++i)
    tokens += trainer.next_result().tokens;
  return static_cast<double>(tokens) / seconds_since(start);
}

extern "C" void openblas_set_num_threads(int);

double plain_tokens_per_second(const nn::ModelConfig& config, const Batches& batches,
                               std::int64_t warm, int omp_threads, int blas_threads) {
  torch::manual_seed(1);
  nn::DecoderLM model(config);
  torch::optim::AdamW optimizer(model->parameters(), nn::adamw_options({}));
  at::set_num_threads(omp_threads);
  openblas_set_num_threads(blas_threads);
  std::int64_t tokens = 0;
  Clock::time_point start;
  for (std::size_t i = 0; i < batches.list.size(); ++i) {
    if (i == static_cast<std::size_t>(warm)) start = Clock::now();
    const auto r = nn::reference_step(model, optimizer, batches.list[i], 1);
    if (i >= static_cast<std::size_t>(warm)) tokens += r.tokens;
  }
  const double s = seconds_since(start);
  nn::set_intra_op_threads(1);
  return static_cast<double>(tokens) / s;
}

struct Options {
  std::string out;
  std::string corpus = "kjv";
  std::vector<std::string> sizes = {"tiny", "small", "medium", "large"};
  std::vector<std::string> parts = {"throughput", "decode", "quality"};
  int repeats = 3;
  double budget = 90;
  std::int64_t batch = 16;
  std::string sched = "lws";
};

// The plain loop's 2-thread configurations: LibTorch's OpenMP pool and OpenBLAS's pthread
// pool are separate, so "2 intra-op threads" can mean either or both; the best of them is
// the baseline.
struct PlainConfig {
  const char* name;
  int omp, blas;
};
constexpr PlainConfig kPlainConfigs[] = {
    {"plain-omp2-blas1", 2, 1}, {"plain-omp1-blas2", 1, 2}, {"plain-omp2-blas2", 2, 2}};

std::string today() {
  char buf[32];
  const std::time_t now = std::time(nullptr);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "The LibTorch layer's benchmark: training throughput, decoding cost, quality per size"};
  Options o;
  app.add_option("--out", o.out, "Directory for results.csv, summary.md, loss.svg")->required();
  app.add_option("--corpus", o.corpus, "Corpus (directory or source)")->capture_default_str();
  std::string sizes = "tiny,small,medium,large", parts = "throughput,decode,quality";
  app.add_option("--sizes", sizes, "Model sizes")->capture_default_str();
  app.add_option("--parts", parts, "throughput, decode, quality")->capture_default_str();
  app.add_option("--repeats", o.repeats, "Alternated runs per size and method (median)")
      ->capture_default_str();
  app.add_option("--budget", o.budget, "Training seconds per size for the quality part")
      ->capture_default_str();
  app.add_option("--batch", o.batch, "Windows per step")->capture_default_str();
  app.add_option("--sched", o.sched, "Tessera's policy")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  o.sizes = tessera::bench::split_list(sizes);
  o.parts = tessera::bench::split_list(parts);
  auto has = [&](const char* part) {
    return std::find(o.parts.begin(), o.parts.end(), part) != o.parts.end();
  };
  try {
    std::filesystem::create_directories(o.out);
    const auto corpus = lm::load_corpus(o.corpus);
    std::fprintf(stderr, "training a tokenizer on %zu lines of %s\n", corpus.train.size(),
                 o.corpus.c_str());
    auto tokenizer = nn::Tokenizer::train(corpus.train, {.vocab_size = 1000});
    const auto stream = nn::encode_lines(tokenizer, corpus.train);
    std::ofstream csv(std::filesystem::path(o.out) / "results.csv");
    csv << "part,size,parameters,method,value,unit\n";
    std::string summary = "# LibTorch layer benchmark\n\nCommand: `";
    for (int i = 0; i < argc; ++i) summary += std::string(i ? " " : "") + argv[i];
    summary += "`  \nDate: " + today() + "; corpus " + o.corpus + ", vocabulary " +
               std::to_string(tokenizer.vocab_size()) + ", batch " + std::to_string(o.batch) +
               " windows of the model's context.\n\n";

    if (has("throughput")) {
      summary +=
          "## Training throughput (tokens/s, median of " + std::to_string(o.repeats) +
          ")\n\n"
          "Plain LibTorch loop on the whole batch with 2 threads, as LibTorch (OpenMP) threads, "
          "OpenBLAS threads or both; Tessera with 2 CPU workers, one thread each, the batch in 2 "
          "or 4 "
          "micro-batches.\n\n"
          "| size | parameters | plain omp2/blas1 | plain omp1/blas2 | plain omp2/blas2 | Tessera "
          "2 mb | Tessera 4 mb | best Tessera / best plain |\n|---|---|---|---|---|---|---|---|\n";
      for (const auto& size : o.sizes) {
        const auto config = nn::model_size(size, tokenizer.vocab_size());
        const std::int64_t warm = 2, steps = timed_steps(size);
        const auto batches = make_batches(stream, config.context, o.batch, warm + steps);
        std::map<std::string, std::vector<double>> runs;
        for (int r = 0; r < o.repeats; ++r) {
          for (const auto& p : kPlainConfigs) {
            runs[p.name].push_back(plain_tokens_per_second(config, batches, warm, p.omp, p.blas));
          }
          runs["tessera-2"].push_back(tessera_tokens_per_second(config, batches, warm, 2, o.sched));
          runs["tessera-4"].push_back(tessera_tokens_per_second(config, batches, warm, 4, o.sched));
          std::fprintf(stderr, "%s run %d:", size.c_str(), r);
          for (const auto& [method, values] : runs)
            std::fprintf(stderr, " %s %.0f", method.c_str(), values.back());
          std::fprintf(stderr, " tokens/s\n");
        }
        double plain = 0;
        for (const auto& p : kPlainConfigs) plain = std::max(plain, median(runs[p.name]));
        const double t2 = median(runs["tessera-2"]), t4 = median(runs["tessera-4"]);
        for (const auto& [method, values] : runs) {
          csv << "throughput," << size << ',' << config.decoder_parameters() << ',' << method << ','
              << median(values) << ",tokens/s\n";
        }
        char row[256];
        std::snprintf(row, sizeof row,
                      "| %s | %.2f M | %.0f | %.0f | %.0f | %.0f | %.0f | **%.2f** |\n",
                      size.c_str(), static_cast<double>(config.decoder_parameters()) / 1e6,
                      median(runs["plain-omp2-blas1"]), median(runs["plain-omp1-blas2"]),
                      median(runs["plain-omp2-blas2"]), t2, t4, std::max(t2, t4) / plain);
        summary += row;
      }
      summary += "\n";
    }

    if (has("decode")) {
      summary +=
          "## One decoding step (batch 1, greedy, key/value cache, 1 thread; ms per token)\n\n"
          "| size | ms per token | relative to the smallest |\n|---|---|---|\n";
      double first = 0;
      nn::set_intra_op_threads(1);
      Runtime rt(Config{}.with_ncpu(1).with_ncuda(0).without_env());
      for (const auto& size : o.sizes) {
        const auto config = nn::model_size(size, tokenizer.vocab_size());
        torch::manual_seed(1);
        nn::DecoderLM model(config);
        const std::vector<int> prompt(16, 10);
        const std::int64_t tokens = std::min<std::int64_t>(64, config.context - 16);
        std::vector<double> per_token;
        for (int r = 0; r < o.repeats; ++r) {
          const auto t0 = Clock::now();
          nn::generate(rt, model, prompt,
                       {.max_new_tokens = 1, .stop_at_eos = false, .sampling = {}});
          const double prefill = seconds_since(t0);
          const auto t1 = Clock::now();
          nn::generate(rt, model, prompt,
                       {.max_new_tokens = tokens + 1, .stop_at_eos = false, .sampling = {}});
          per_token.push_back((seconds_since(t1) - prefill) / static_cast<double>(tokens) * 1e3);
        }
        const double ms = median(per_token);
        if (first == 0) first = ms;
        csv << "decode," << size << ',' << config.decoder_parameters() << ",tessera," << ms
            << ",ms/token\n";
        char row[160];
        std::snprintf(row, sizeof row, "| %s | %.3f | %.1fx |\n", size.c_str(), ms, ms / first);
        summary += row;
      }
      summary += "\n";
    }

    if (has("quality")) {
      const std::string corpus_dir = (std::filesystem::path(o.out) / "corpus").string();
      nn::write_splits({corpus.train, corpus.valid, corpus.test}, corpus_dir);
      summary += "## Validation perplexity after " + std::to_string(static_cast<int>(o.budget)) +
                 " s of training (Tessera, 2 CPU workers; first 500 validation lines)\n\n"
                 "| size | steps | tokens seen | final train loss | valid perplexity "
                 "|\n|---|---|---|---|---|\n";
      tessera::bench::LineChart chart{
          "Training loss against time (" + o.corpus + ")", "seconds", "loss", {}};
      for (const auto& size : o.sizes) {
        Runtime rt(Config{}.with_ncpu(2).with_ncuda(0).with_sched(o.sched).without_env());
        lm::TrainJob job;
        job.corpus = corpus_dir;
        job.size = size;
        job.batch = o.batch;
        job.learning_rate = learning_rate(size);
        job.tokenizer_from.clear();
        job.vocab = 1000;
        // Steps that fill the budget at the measured speed, so that the cosine schedule ends
        // with it; the budget also stops training.
        const auto config = nn::model_size(size, tokenizer.vocab_size());
        lm::TrainJob probe = job;
        probe.steps = 3;
        probe.eval_lines = 1;
        probe.out = std::filesystem::path(o.out) / ("probe-" + size + ".lm");
        const auto p = lm::train(rt, probe);
        std::filesystem::remove(probe.out);
        job.steps = std::max<std::int64_t>(
            10, static_cast<std::int64_t>(o.budget * p.tokens_per_second /
                                          static_cast<double>(o.batch * config.context)));
        job.time_budget = o.budget;
        job.warmup = std::min<std::int64_t>(50, job.steps / 10);
        job.out = std::filesystem::path(o.out) / (size + ".lm");
        job.log = std::filesystem::path(o.out) / ("loss-" + size + ".csv");
        std::fprintf(stderr, "quality: %s for %lld steps (%.0f s)\n", size.c_str(),
                     static_cast<long long>(job.steps), o.budget);
        const auto report = lm::train(rt, job);
        std::filesystem::remove(job.out);
        csv << "quality," << size << ',' << report.parameters << ",valid_perplexity,"
            << report.valid_perplexity << ",ppl\n";
        char row[200];
        std::snprintf(row, sizeof row, "| %s | %lld | %lld | %.3f | **%.2f** |\n", size.c_str(),
                      static_cast<long long>(report.steps), static_cast<long long>(report.tokens),
                      report.final_loss, report.valid_perplexity);
        summary += row;
        tessera::bench::Series series{size, {}, {}};
        std::ifstream log(job.log);
        std::string line;
        std::getline(log, line);
        while (std::getline(log, line)) {
          double step, seconds, tokens, loss;
          if (std::sscanf(line.c_str(), "%lf,%lf,%lf,%lf", &step, &seconds, &tokens, &loss) == 4) {
            series.x.push_back(seconds);
            series.y.push_back(loss);
          }
        }
        chart.series.push_back(std::move(series));
      }
      std::ofstream(std::filesystem::path(o.out) / "loss.svg") << chart.to_svg();
      std::filesystem::remove_all(corpus_dir);
      summary +=
          "\nLoss curves: `loss.svg` (per-step training loss), raw logs `loss-<size>.csv`.\n";
    }
    std::ofstream(std::filesystem::path(o.out) / "summary.md") << summary;
    std::printf("%s", summary.c_str());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera-bench-lm: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
