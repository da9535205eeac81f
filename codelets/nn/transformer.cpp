#include "tessera/nn/transformer.hpp"

#include <torch/nn/functional/activation.h>
#include <torch/nn/functional/loss.h>
#include <torch/nn/init.h>
#include <torch/utils.h>

#include <cmath>
#include <limits>

#include <tessera/error.hpp>

#include "tessera/nn/tokenizer.hpp"

namespace tessera::nn {
namespace {

void initialize_linear(torch::nn::LinearImpl& linear) {
  torch::NoGradGuard no_grad;
  linear.weight.normal_(0.0, 0.02);
  if (linear.bias.defined()) linear.bias.zero_();
}

// GPT-2's initialization: weights N(0, 0.02), biases 0; norms keep (1, 0).
void initialize(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  for (auto& m : module.modules(/*include_self=*/false)) {
    if (auto* linear = m->as<torch::nn::Linear>()) {
      linear->weight.normal_(0.0, 0.02);
      if (linear->bias.defined()) linear->bias.zero_();
    } else if (auto* embedding = m->as<torch::nn::Embedding>()) {
      embedding->weight.normal_(0.0, 0.02);
    }
  }
}

torch::nn::LayerNorm layer_norm(std::int64_t d) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({d}));
}

void check_tokens(const torch::Tensor& tokens, std::int64_t start, const ModelConfig& config) {
  if (tokens.dim() != 2) {
    throw InvalidArgument("model: tokens must be [batch, time], got " +
                          std::to_string(tokens.dim()) + " dimensions");
  }
  const std::int64_t time = tokens.size(1);
  if (start < 0 || start + time > config.context) {
    throw InvalidArgument("model: positions " + std::to_string(start) + ".." +
                          std::to_string(start + time - 1) + " pass the context of " +
                          std::to_string(config.context));
  }
  if (tokens.numel() > 0) {
    const auto lo = tokens.min().item<std::int64_t>();
    const auto hi = tokens.max().item<std::int64_t>();
    if (lo < 0 || hi >= config.vocab) {
      throw InvalidArgument("model: token id " + std::to_string(lo < 0 ? lo : hi) +
                            " is outside the vocabulary of " + std::to_string(config.vocab));
    }
  }
}

torch::Tensor embed_positions(const torch::Tensor& tokens, std::int64_t start,
                              torch::nn::Embedding& token_embedding,
                              torch::nn::Embedding& position_embedding) {
  const auto positions =
      torch::arange(start, start + tokens.size(1),
                    torch::TensorOptions().dtype(torch::kLong).device(tokens.device()));
  return token_embedding(tokens) + position_embedding(positions).unsqueeze(0);
}

std::vector<Block> make_blocks(torch::nn::Module& owner, torch::nn::ModuleList& list,
                               const ModelConfig& config, bool causal) {
  list = owner.register_module("blocks", torch::nn::ModuleList());
  std::vector<Block> blocks;
  for (std::int64_t i = 0; i < config.n_layers; ++i) {
    blocks.emplace_back(config, causal);
    list->push_back(blocks.back());
  }
  return blocks;
}

}  // namespace

// --- AdaptableLinear -------------------------------------------------------------------

AdaptableLinearImpl::AdaptableLinearImpl(std::int64_t in, std::int64_t out)
    : base(register_module("base", torch::nn::Linear(in, out))) {}

torch::Tensor AdaptableLinearImpl::forward(const torch::Tensor& x) {
  auto y = base(x);
  if (has_lora() && !merged_) {
    y = y + torch::matmul(torch::matmul(x, lora_a_.t()), lora_b_.t()) * scale_;
  }
  return y;
}

void AdaptableLinearImpl::add_lora(std::int64_t rank, double alpha) {
  const std::int64_t in = base->weight.size(1);
  const std::int64_t out = base->weight.size(0);
  if (has_lora()) throw InvalidArgument("lora: the layer already has an adapter");
  if (rank < 1 || rank > std::min(in, out)) {
    throw InvalidArgument("lora: rank must be in [1, " + std::to_string(std::min(in, out)) +
                          "] for a " + std::to_string(in) + "x" + std::to_string(out) +
                          " layer (got " + std::to_string(rank) + ")");
  }
  if (!(alpha > 0) || !std::isfinite(alpha)) {
    throw InvalidArgument("lora: alpha must be a positive number");
  }
  base->weight.requires_grad_(false);
  if (base->bias.defined()) base->bias.requires_grad_(false);
  auto a = torch::empty({rank, in});
  torch::nn::init::kaiming_uniform_(a, std::sqrt(5.0));
  lora_a_ = register_parameter("lora_a", a);
  lora_b_ = register_parameter("lora_b", torch::zeros({out, rank}));
  scale_ = alpha / static_cast<double>(rank);
}

void AdaptableLinearImpl::merge() {
  if (!has_lora() || merged_) return;
  torch::NoGradGuard no_grad;
  base->weight.add_(torch::matmul(lora_b_, lora_a_), scale_);
  merged_ = true;
}

void AdaptableLinearImpl::unmerge() {
  if (!has_lora() || !merged_) return;
  torch::NoGradGuard no_grad;
  base->weight.sub_(torch::matmul(lora_b_, lora_a_), scale_);
  merged_ = false;
}

// --- KVCache ---------------------------------------------------------------------------

std::int64_t KVCache::length() const {
  return layers_.empty() || !layers_[0].keys.defined() ? 0 : layers_[0].keys.size(2);
}

void KVCache::truncate(std::int64_t length) {
  if (length < 0 || length > this->length()) {
    throw InvalidArgument("kv cache: cannot keep " + std::to_string(length) + " of " +
                          std::to_string(this->length()) + " positions");
  }
  for (auto& l : layers_) {
    if (!l.keys.defined()) continue;
    l.keys = l.keys.narrow(2, 0, length);
    l.values = l.values.narrow(2, 0, length);
  }
}

void KVCache::clear() {
  for (auto& l : layers_) l = {};
}

// --- SelfAttention ---------------------------------------------------------------------

SelfAttentionImpl::SelfAttentionImpl(const ModelConfig& config, bool causal)
    : q(register_module("q", AdaptableLinear(config.d_model, config.d_model))),
      k(register_module("k", AdaptableLinear(config.d_model, config.d_model))),
      v(register_module("v", AdaptableLinear(config.d_model, config.d_model))),
      o(register_module("o", AdaptableLinear(config.d_model, config.d_model))),
      heads_(config.n_heads),
      causal_(causal) {}

torch::Tensor SelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& padding,
                                         LayerCache* cache) {
  const std::int64_t batch = x.size(0), time = x.size(1), width = x.size(2);
  const std::int64_t d_head = width / heads_;
  auto split = [&](const torch::Tensor& t) {
    return t.view({batch, time, heads_, d_head}).transpose(1, 2);
  };
  auto queries = split(q(x));
  auto keys = split(k(x));
  auto values = split(v(x));
  if (cache != nullptr) {
    if (cache->keys.defined()) {
      keys = torch::cat({cache->keys, keys}, 2);
      values = torch::cat({cache->values, values}, 2);
    }
    cache->keys = keys;
    cache->values = values;
  }
  const std::int64_t total = keys.size(2);
  const std::int64_t past = total - time;
  auto scores =
      torch::matmul(queries, keys.transpose(-2, -1)) / std::sqrt(static_cast<double>(d_head));
  const double minus_inf = -std::numeric_limits<double>::infinity();
  if (causal_) {
    // Query i (at position past + i) sees keys 0 .. past + i.
    const auto future =
        torch::ones({time, total}, torch::TensorOptions().dtype(torch::kBool).device(x.device()))
            .triu(past + 1);
    scores = scores.masked_fill(future, minus_inf);
  }
  if (padding.defined()) {
    if (padding.dim() != 2 || padding.size(0) != batch || padding.size(1) != total) {
      throw InvalidArgument("attention: padding mask must be [batch, keys] = [" +
                            std::to_string(batch) + ", " + std::to_string(total) + "]");
    }
    scores = scores.masked_fill(padding.view({batch, 1, 1, total}), minus_inf);
  }
  auto weights = torch::softmax(scores, -1);
  auto mixed =
      torch::matmul(weights, values).transpose(1, 2).contiguous().view({batch, time, width});
  return o(mixed);
}

// --- Block -----------------------------------------------------------------------------

BlockImpl::BlockImpl(const ModelConfig& config, bool causal)
    : norm1(register_module("norm1", layer_norm(config.d_model))),
      norm2(register_module("norm2", layer_norm(config.d_model))),
      attention(register_module("attention", SelfAttention(config, causal))),
      ff1(register_module("ff1", AdaptableLinear(config.d_model, config.d_ff))),
      ff2(register_module("ff2", AdaptableLinear(config.d_ff, config.d_model))) {}

torch::Tensor BlockImpl::forward(const torch::Tensor& x, const torch::Tensor& padding,
                                 LayerCache* cache) {
  auto h = x + attention(norm1(x), padding, cache);
  return h + ff2(torch::gelu(ff1(norm2(h))));
}

// --- the shared stack ------------------------------------------------------------------

TransformerStack::TransformerStack(ModelConfig config, bool causal) : config_(std::move(config)) {
  config_.validate();
  token_embedding =
      register_module("token_embedding", torch::nn::Embedding(config_.vocab, config_.d_model));
  position_embedding =
      register_module("position_embedding", torch::nn::Embedding(config_.context, config_.d_model));
  blocks_ = make_blocks(*this, block_list_, config_, causal);
  final_norm = register_module("final_norm", layer_norm(config_.d_model));
  initialize(*this);
}

torch::Tensor TransformerStack::embed(const torch::Tensor& tokens, std::int64_t start) {
  check_tokens(tokens, start, config_);
  return embed_positions(tokens, start, token_embedding, position_embedding);
}

// --- DecoderLM -------------------------------------------------------------------------

DecoderLMImpl::DecoderLMImpl(ModelConfig config) : TransformerStack(std::move(config), /*causal=*/true) {}

torch::Tensor DecoderLMImpl::block(std::size_t i, const torch::Tensor& x, LayerCache* cache) {
  return blocks_.at(i)->forward(x, {}, cache);
}

torch::Tensor DecoderLMImpl::head(const torch::Tensor& x) {
  return torch::matmul(final_norm(x), token_embedding->weight.t());
}

torch::Tensor DecoderLMImpl::forward(const torch::Tensor& tokens, KVCache* cache) {
  if (cache != nullptr && cache->layers() != blocks_.size()) {
    throw InvalidArgument("model: the cache has " + std::to_string(cache->layers()) +
                          " layers, the model " + std::to_string(blocks_.size()));
  }
  auto x = embed(tokens, cache != nullptr ? cache->length() : 0);
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    x = block(i, x, cache != nullptr ? &cache->layer(i) : nullptr);
  }
  return head(x);
}

torch::Tensor DecoderLMImpl::loss_sum(const torch::Tensor& windows) {
  if (windows.dim() != 2 || windows.size(1) < 2) {
    throw InvalidArgument("model: training windows must be [batch, time + 1] with time >= 1");
  }
  const std::int64_t time = windows.size(1) - 1;
  const auto inputs = windows.narrow(1, 0, time);
  const auto targets = windows.narrow(1, 1, time);
  const auto logits = forward(inputs);
  namespace F = torch::nn::functional;
  return F::cross_entropy(
      logits.reshape({-1, config_.vocab}), targets.reshape({-1}),
      F::CrossEntropyFuncOptions().reduction(torch::kSum).ignore_index(Tokenizer::kPad));
}

// --- Encoder and heads -----------------------------------------------------------------

EncoderImpl::EncoderImpl(ModelConfig config) : TransformerStack(std::move(config), /*causal=*/false) {}

torch::Tensor EncoderImpl::forward(const torch::Tensor& tokens, const torch::Tensor& padding) {
  auto x = embed(tokens);
  for (auto& b : blocks_) x = b->forward(x, padding);
  return final_norm(x);
}

torch::Tensor EncoderImpl::block(std::size_t i, const torch::Tensor& x,
                                 const torch::Tensor& padding) {
  return blocks_.at(i)->forward(x, padding);
}

ClassifierImpl::ClassifierImpl(ModelConfig config, std::int64_t classes) {
  if (classes < 2) throw InvalidArgument("classifier: at least 2 classes");
  const std::int64_t width = config.d_model;
  encoder = register_module("encoder", Encoder(std::move(config)));
  output = register_module("output", torch::nn::Linear(width, classes));
  initialize_linear(*output);
}

torch::Tensor ClassifierImpl::forward(const torch::Tensor& tokens, const torch::Tensor& padding) {
  const auto hidden = encoder(tokens, padding);
  torch::Tensor pooled;
  if (padding.defined()) {
    const auto keep = (~padding).unsqueeze(-1).to(hidden.dtype());
    pooled = (hidden * keep).sum(1) / keep.sum(1).clamp_min(1.0);
  } else {
    pooled = hidden.mean(1);
  }
  return output(pooled);
}

SpanReaderImpl::SpanReaderImpl(ModelConfig config) {
  const std::int64_t width = config.d_model;
  encoder = register_module("encoder", Encoder(std::move(config)));
  output = register_module("output", torch::nn::Linear(width, 2));
  initialize_linear(*output);
}

torch::Tensor SpanReaderImpl::forward(const torch::Tensor& tokens, const torch::Tensor& padding) {
  return output(encoder(tokens, padding));
}

// --- LoRA over a whole model -----------------------------------------------------------

std::size_t apply_lora(torch::nn::Module& module, const LoraOptions& options) {
  for (const auto& t : options.targets) {
    if (t != "q" && t != "k" && t != "v" && t != "o" && t != "ff1" && t != "ff2") {
      throw InvalidArgument("lora: unknown target '" + t + "' (known: q, k, v, o, ff1, ff2)");
    }
  }
  if (options.targets.empty()) throw InvalidArgument("lora: no target projection given");
  for (auto& p : module.parameters()) p.requires_grad_(false);
  std::size_t adapted = 0;
  for (auto& m : module.modules(/*include_self=*/false)) {
    auto* block = m->as<BlockImpl>();
    if (block == nullptr) continue;
    for (const auto& t : options.targets) {
      AdaptableLinear& layer = t == "q"     ? block->attention->q
                               : t == "k"   ? block->attention->k
                               : t == "v"   ? block->attention->v
                               : t == "o"   ? block->attention->o
                               : t == "ff1" ? block->ff1
                                            : block->ff2;
      layer->add_lora(options.rank, options.alpha);
      ++adapted;
    }
  }
  return adapted;
}

void merge_lora(torch::nn::Module& module) {
  for (auto& m : module.modules(false)) {
    if (auto* l = m->as<AdaptableLinearImpl>()) l->merge();
  }
}

void unmerge_lora(torch::nn::Module& module) {
  for (auto& m : module.modules(false)) {
    if (auto* l = m->as<AdaptableLinearImpl>()) l->unmerge();
  }
}

std::int64_t count_parameters(const torch::nn::Module& module, bool trainable_only) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters()) {
    if (!trainable_only || p.requires_grad()) n += p.numel();
  }
  return n;
}

}  // namespace tessera::nn
