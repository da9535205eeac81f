#include "logs/sequence_detector.hpp"

#include <torch/nn/modules/rnn.h>
#include <torch/optim/adam.h>

#include <algorithm>
#include <random>

#include <tessera/error.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/nn/training.hpp>
#include <tessera/nn/transformer.hpp>

namespace tessera::logs {
namespace {

// Event e is token e + 4: the model zoo's special tokens come first.
constexpr std::int64_t kBos = 1, kPad = 3, kFirstEvent = 4;
constexpr std::int64_t kMaxContext = 256;

std::int64_t token_of(std::uint32_t event) {
  return static_cast<std::int64_t>(event) + kFirstEvent;
}

// Rank of `target` among the event logits of one position (specials excluded).
std::uint32_t rank_of(const float* logits, std::int64_t vocab, std::int64_t target) {
  const float mine = logits[target];
  std::uint32_t better = 0;
  for (std::int64_t v = kFirstEvent; v < vocab; ++v) better += logits[v] > mine ? 1 : 0;
  return better;
}

struct DeepLogNetImpl : torch::nn::Module {
  DeepLogNetImpl(std::int64_t vocab, std::int64_t hidden)
      : embed(register_module("embed", torch::nn::Embedding(vocab, hidden))),
        lstm(register_module(
            "lstm", torch::nn::LSTM(
                        torch::nn::LSTMOptions(hidden, hidden).num_layers(2).batch_first(true)))),
        out(register_module("out", torch::nn::Linear(hidden, vocab))) {}
  // histories [batch, h] -> logits of the next event [batch, vocab]
  torch::Tensor forward(const torch::Tensor& histories) {
    auto [states, last] = lstm->forward(embed->forward(histories));
    return out->forward(states.select(1, states.size(1) - 1));
  }
  torch::nn::Embedding embed;
  torch::nn::LSTM lstm;
  torch::nn::Linear out;
};
TORCH_MODULE(DeepLogNet);

int cpu_workers(const Runtime& rt) {
  int n = 0;
  for (const auto& w : rt.workers()) n += w.arch == Arch::cpu ? 1 : 0;
  return std::max(n, 1);
}

}  // namespace

void SequenceModelOptions::validate() const {
  if (kind != "loglm" && kind != "deeplog") {
    throw InvalidArgument("sequence model '" + kind + "' is not one of loglm, deeplog");
  }
  if (layers < 1 || heads < 1 || width < 1 || width % heads != 0) {
    throw InvalidArgument("loglm: need layers, heads >= 1 and a width that heads divide");
  }
  if (history < 1 || hidden < 1) throw InvalidArgument("deeplog: history and hidden must be >= 1");
  if (steps < 1 || batch < 1) throw InvalidArgument("sequence model: steps and batch must be >= 1");
  if (!(learning_rate > 0) || learning_rate > 1) {
    throw InvalidArgument("sequence model: learning rate must be in (0, 1]");
  }
}

struct SequenceDetector::Impl {
  Runtime& rt;
  std::int64_t vocab;
  SequenceModelOptions options;
  std::int64_t context = 0;  // loglm
  nn::DecoderLM lm{nullptr};
  DeepLogNet deeplog{nullptr};

  // The events of lines [b, e), as tokens.
  static std::vector<std::int64_t> tokens(const EventLog& log, std::size_t b, std::size_t e) {
    std::vector<std::int64_t> out;
    for (std::size_t i = b; i < e; ++i) out.push_back(token_of(log.events[i]));
    return out;
  }

  void fit_lm(const EventLog& log, const std::vector<Window>& windows) {
    std::size_t longest = 1;
    for (const auto& w : windows) longest = std::max(longest, w.end - w.begin);
    context = std::min<std::int64_t>(static_cast<std::int64_t>(longest), kMaxContext);
    nn::ModelConfig config;
    config.vocab = vocab;
    config.context = context;
    config.d_model = options.width;
    config.n_layers = options.layers;
    config.n_heads = options.heads;
    config.d_ff = 4 * options.width;
    torch::manual_seed(options.seed);
    lm = nn::DecoderLM(config);
    nn::TrainOptions train;
    train.learning_rate = options.learning_rate;
    train.warmup_steps = std::min<std::int64_t>(20, options.steps / 10);
    train.total_steps = options.steps;
    train.micro_batches = std::min<std::int64_t>(options.batch, 2);
    nn::TaskTrainer trainer(rt, lm, train);
    std::mt19937_64 rng(options.seed);
    for (std::int64_t step = 0; step < options.steps; ++step) {
      // A batch of windows: BOS, the window's events (a random piece of a long one), padding.
      std::vector<std::int32_t> rows;
      for (std::int64_t r = 0; r < options.batch; ++r) {
        const Window& w = windows[rng() % windows.size()];
        const std::size_t n = w.end - w.begin,
                          len = std::min<std::size_t>(n, static_cast<std::size_t>(context));
        const std::size_t start = w.begin + (n > len ? rng() % (n - len + 1) : 0);
        rows.push_back(static_cast<std::int32_t>(kBos));
        for (std::size_t i = start; i < start + len; ++i)
          rows.push_back(static_cast<std::int32_t>(token_of(log.events[i])));
        for (std::size_t i = len; i < static_cast<std::size_t>(context); ++i)
          rows.push_back(static_cast<std::int32_t>(kPad));
      }
      trainer.submit(nn::windows_tensor(rows, context));
      if (step >= 1) report(step - 1, trainer.next_result().loss);
    }
    report(options.steps - 1, trainer.next_result().loss);
  }

  void fit_deeplog(const EventLog& log, const std::vector<Window>& windows) {
    torch::manual_seed(options.seed);
    deeplog = DeepLogNet(vocab, options.hidden);
    // Every (history, next event) pair of the windows; histories start padded.
    std::vector<std::pair<std::size_t, std::size_t>> pairs;  // (window, position)
    for (std::size_t k = 0; k < windows.size(); ++k) {
      for (std::size_t i = windows[k].begin; i < windows[k].end; ++i) pairs.emplace_back(k, i);
    }
    auto optimizer = std::make_shared<torch::optim::Adam>(
        deeplog->parameters(), torch::optim::AdamOptions(options.learning_rate));
    auto state = std::make_shared<std::mt19937_64>(options.seed);
    // Training is a chain of tasks of 50 steps each, through the model object.
    auto model = rt.register_object(std::make_shared<DeepLogNet>(deeplog));
    const std::int64_t batch = 4 * options.batch;
    auto codelet = nn::torch_codelet(
        "deeplog_train",
        [&, optimizer, state](TaskContext& ctx) {
          auto& net = ctx.object<DeepLogNet>(0);
          const std::int64_t first = ctx.arg<std::int64_t>(0), last = ctx.arg<std::int64_t>(1);
          for (std::int64_t step = first; step < last; ++step) {
            std::vector<std::int64_t> hist, next;
            for (std::int64_t r = 0; r < batch; ++r) {
              const auto [k, i] = pairs[(*state)() % pairs.size()];
              append_history(log, windows[k].begin, i, hist);
              next.push_back(token_of(log.events[i]));
            }
            const auto x = torch::tensor(hist).view({batch, options.history});
            const auto loss =
                torch::nn::functional::cross_entropy(net->forward(x), torch::tensor(next));
            optimizer->zero_grad();
            loss.backward();
            optimizer->step();
            if ((step + 1) % 50 == 0 || step + 1 == options.steps)
              report(step, loss.item<double>());
          }
        },
        {.intra_op_threads = 0, .grad = true});
    for (std::int64_t s = 0; s < options.steps; s += 50) {
      rt.submit(codelet, {{model, RW}}, s, std::min<std::int64_t>(s + 50, options.steps));
    }
    rt.wait_all();
    rt.unregister(model);
  }

  // The `history` events before line i of a window starting at b, padded on the left.
  void append_history(const EventLog& log, std::size_t b, std::size_t i,
                      std::vector<std::int64_t>& out) const {
    const auto h = static_cast<std::size_t>(options.history);
    for (std::size_t k = 0; k < h; ++k) {
      const std::size_t back = h - k;  // lines before i
      out.push_back(i >= b + back ? token_of(log.events[i - back]) : kPad);
    }
  }

  void report(std::int64_t step, double loss) const {
    if (options.on_step && ((step + 1) % 50 == 0 || step + 1 == options.steps)) {
      options.on_step(step + 1, loss);
    }
  }

  // Ranks of one window's events.
  std::vector<std::uint32_t> window_ranks(const EventLog& log, const Window& w) {
    std::vector<std::uint32_t> out;
    if (lm) {
      // Pieces of at most `context` events, each read from BOS.
      for (std::size_t b = w.begin; b < w.end; b += static_cast<std::size_t>(context)) {
        const std::size_t e = std::min(w.end, b + static_cast<std::size_t>(context));
        std::vector<std::int64_t> input{kBos};
        for (std::size_t i = b; i + 1 < e; ++i) input.push_back(token_of(log.events[i]));
        const auto n = static_cast<std::int64_t>(input.size());
        const auto logits = lm->forward(torch::tensor(input).view({1, n})).contiguous();
        const float* p = logits.data_ptr<float>();
        for (std::int64_t t = 0; t < n; ++t) {
          out.push_back(
              rank_of(p + t * vocab, vocab, token_of(log.events[b + static_cast<std::size_t>(t)])));
        }
      }
      return out;
    }
    std::vector<std::int64_t> hist;
    for (std::size_t i = w.begin; i < w.end; ++i) append_history(log, w.begin, i, hist);
    const auto rows = static_cast<std::int64_t>(w.end - w.begin);
    if (rows == 0) return out;
    const auto logits =
        deeplog->forward(torch::tensor(hist).view({rows, options.history})).contiguous();
    const float* p = logits.data_ptr<float>();
    for (std::int64_t r = 0; r < rows; ++r) {
      out.push_back(rank_of(p + r * vocab, vocab,
                            token_of(log.events[w.begin + static_cast<std::size_t>(r)])));
    }
    return out;
  }
};

SequenceDetector::SequenceDetector(Runtime& runtime, std::size_t events,
                                   SequenceModelOptions options)
    : impl_(std::make_unique<Impl>(
          Impl{runtime, static_cast<std::int64_t>(events) + kFirstEvent, std::move(options)})) {
  impl_->options.validate();
  if (events == 0) throw InvalidArgument("sequence model: the log has no events");
}

SequenceDetector::~SequenceDetector() = default;

void SequenceDetector::fit(const EventLog& log, const std::vector<Window>& windows) {
  if (windows.empty()) throw InvalidArgument(impl_->options.kind + ": no training windows");
  if (impl_->options.kind == "loglm") {
    impl_->fit_lm(log, windows);
  } else {
    impl_->fit_deeplog(log, windows);
  }
}

std::vector<std::vector<std::uint32_t>> SequenceDetector::ranks(
    const EventLog& log, const std::vector<Window>& windows) const {
  Impl& impl = *impl_;  // forward() is not const in LibTorch; scoring changes nothing
  if (!impl.lm && !impl.deeplog) throw InvalidArgument("sequence model: fit() before ranks()");
  std::vector<std::vector<std::uint32_t>> out(windows.size());
  // Windows in parallel tasks, each writing only its own windows' ranks.
  const std::size_t tasks =
      std::min<std::size_t>(windows.size(), 4 * static_cast<std::size_t>(cpu_workers(impl.rt)));
  auto score = nn::torch_codelet("sequence_ranks", [&](TaskContext& ctx) {
    const auto t = ctx.arg<std::size_t>(0);
    for (std::size_t w = t; w < windows.size(); w += tasks)
      out[w] = impl.window_ranks(log, windows[w]);
  });
  for (std::size_t t = 0; t < tasks; ++t) impl.rt.submit(score, {}, t);
  impl.rt.wait_all();
  return out;
}

}  // namespace tessera::logs
