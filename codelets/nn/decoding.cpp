#include "tessera/nn/decoding.hpp"

#include <cmath>

#include <tessera/error.hpp>
#include <tessera/task_context.hpp>

#include "tessera/nn/tokenizer.hpp"
#include "tessera/nn/torch_codelet.hpp"

namespace tessera::nn {
namespace {

struct DecodeState {
  DecoderLM model{nullptr};
  KVCache cache{0};
  std::vector<int> tokens;  // prompt and continuation
  std::size_t prompt = 0;
  Sampler sampler{{}};
  std::int64_t pending = -1;  // the sampled token not yet fed to the model
  bool finished = false;
  bool stop_at_eos = true;
};

torch::Tensor as_row(const std::vector<int>& ids, std::size_t from) {
  std::vector<std::int64_t> row(ids.begin() + static_cast<std::ptrdiff_t>(from), ids.end());
  return torch::tensor(row, torch::kLong).view({1, -1});
}

// Feeds `tokens[from:]` (the cache holds the ones before) and samples the next token.
void advance(DecodeState& s) {
  const std::int64_t context = s.model->config().context;
  torch::Tensor input;
  if (s.pending < 0) {
    input = as_row(s.tokens, 0);
  } else if (s.cache.length() + 1 > context) {
    // The window is full: restart from the last half-context of tokens.
    s.cache.clear();
    input = as_row(s.tokens, s.tokens.size() -
                                 static_cast<std::size_t>(std::max<std::int64_t>(1, context / 2)));
  } else {
    input = torch::tensor({s.pending}, torch::kLong).view({1, 1});
  }
  const auto logits = s.model->forward(input, &s.cache);
  s.pending = s.sampler.next(logits[0][logits.size(1) - 1]);
  s.tokens.push_back(static_cast<int>(s.pending));
  if (s.stop_at_eos && s.pending == Tokenizer::kEos) s.finished = true;
}

}  // namespace

void SamplingOptions::validate() const {
  if (!(temperature >= 0) || !std::isfinite(temperature)) {
    throw InvalidArgument("sampling: temperature must be a number >= 0");
  }
  if (top_k < 0) throw InvalidArgument("sampling: top_k must be >= 0");
}

Sampler::Sampler(SamplingOptions options) : options_(options), rng_(options.seed) {
  options_.validate();
}

std::int64_t Sampler::next(const torch::Tensor& logits) {
  const auto row = logits.to(torch::kDouble).contiguous();
  const std::int64_t vocab = row.size(0);
  if (options_.temperature == 0.0) return row.argmax().item<std::int64_t>();
  torch::Tensor candidates = torch::arange(vocab, torch::kLong);
  torch::Tensor scores = row;
  if (options_.top_k > 0 && options_.top_k < vocab) {
    auto top = row.topk(options_.top_k);
    scores = std::get<0>(top);
    candidates = std::get<1>(top);
  }
  const auto probs = torch::softmax(scores / options_.temperature, 0).contiguous();
  const double* p = probs.data_ptr<double>();
  // Inverse transform sampling with the sampler's own generator: reproducible and
  // independent of LibTorch's global one.
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
  double acc = 0;
  const std::int64_t n = probs.size(0);
  for (std::int64_t i = 0; i < n; ++i) {
    acc += p[i];
    if (u < acc) return candidates[i].item<std::int64_t>();
  }
  return candidates[n - 1].item<std::int64_t>();
}

std::vector<int> generate(Runtime& runtime, DecoderLM& model, const std::vector<int>& prompt,
                          const GenerateOptions& options, std::span<const TensorSetHandle> reads) {
  if (prompt.empty()) throw InvalidArgument("generate: the prompt has no token");
  if (options.max_new_tokens < 0) throw InvalidArgument("generate: max_new_tokens must be >= 0");
  const auto& config = model->config();
  for (int id : prompt) {
    if (id < 0 || id >= config.vocab) {
      throw InvalidArgument("generate: prompt token " + std::to_string(id) +
                            " is outside the vocabulary of " + std::to_string(config.vocab));
    }
  }
  auto state = std::make_shared<DecodeState>();
  state->model = model;
  state->cache = model->make_cache();
  state->sampler = Sampler(options.sampling);
  state->stop_at_eos = options.stop_at_eos;
  // A prompt longer than the context keeps its last half-context of tokens.
  const std::size_t keep = static_cast<std::size_t>(std::max<std::int64_t>(1, config.context / 2));
  state->tokens.assign(prompt.size() > static_cast<std::size_t>(config.context)
                           ? prompt.end() - static_cast<std::ptrdiff_t>(keep)
                           : prompt.begin(),
                       prompt.end());
  state->prompt = state->tokens.size();
  auto handle = runtime.register_object(state);
  handle.set_name("lm.decode.state");
  struct Unregister {
    Runtime& rt;
    DataHandle h;
    ~Unregister() {
      try {
        rt.unregister(h);
      } catch (...) {  // the runtime is closing: nothing left to release
      }
    }
  } unregister{runtime, handle};
  const auto codelet = torch_codelet("lm.decode", [](TaskContext& ctx) {
    auto& s = ctx.object<DecodeState>(0);
    if (!s.finished) advance(s);
  });
  constexpr std::int64_t kRound = 32;
  for (std::int64_t i = 0; i < options.max_new_tokens && !state->finished;) {
    TaskHandle last;
    for (const std::int64_t end = std::min(options.max_new_tokens, i + kRound); i < end; ++i) {
      auto builder = runtime.task(codelet);
      for (const auto& h : reads) builder.read(h);
      last = builder.read_write(handle).name("lm.decode[" + std::to_string(i) + "]").submit();
    }
    last.wait();  // the state is read below only once its last writer is done
  }
  return {state->tokens.begin() + static_cast<std::ptrdiff_t>(state->prompt), state->tokens.end()};
}

}  // namespace tessera::nn
