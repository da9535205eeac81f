#pragma once
// The model zoo: transformers written layer by layer as torch::nn modules, so that a
// workload can make one task per layer or per block (embed, block(i), head), or one per
// whole model (forward).
//
// - DecoderLM: a decoder-only language model (token and position embeddings, pre-norm
//   blocks, causal self-attention with a key/value cache for incremental decoding, an output
//   head tied to the token embedding).
// - Encoder: the same blocks without the causal mask, with a padding mask; Classifier and
//   SpanReader put a classification or a span (start/end) head on it.
// - LoRA: every projection is an AdaptableLinear, which can take a low-rank adapter
//   (apply_lora) on top of its frozen weight, and merge or unmerge it.

#include <cstdint>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include "tessera/nn/model_config.hpp"

namespace tessera::nn {

// A linear layer that can carry a LoRA adapter: y = W x + b + (alpha / rank) * B A x, with
// W and b frozen, A (rank x in) and B (out x rank, zero at first) trainable.
class AdaptableLinearImpl : public torch::nn::Module {
 public:
  AdaptableLinearImpl(std::int64_t in, std::int64_t out);
  torch::Tensor forward(const torch::Tensor& x);

  // Freezes W and b and adds the adapter (parameters "lora_a", "lora_b"). Throws
  // InvalidArgument when it already has one or rank is out of [1, min(in, out)].
  void add_lora(std::int64_t rank, double alpha);
  bool has_lora() const noexcept { return lora_a_.defined(); }
  // Folds the adapter into W (inference without the extra products) and back.
  void merge();
  void unmerge();
  bool merged() const noexcept { return merged_; }

  torch::nn::Linear base{nullptr};

 private:
  torch::Tensor lora_a_, lora_b_;
  double scale_ = 0;
  bool merged_ = false;
};
TORCH_MODULE(AdaptableLinear);

// Keys and values of one block for the positions seen so far: [batch, heads, length, d_head].
struct LayerCache {
  torch::Tensor keys, values;
};

// The key/value cache of a whole decoder, for incremental decoding.
class KVCache {
 public:
  explicit KVCache(std::size_t layers) : layers_(layers) {}
  LayerCache& layer(std::size_t i) { return layers_.at(i); }
  std::size_t layers() const noexcept { return layers_.size(); }
  // Positions cached (0 when empty).
  std::int64_t length() const;
  // Keeps the first `length` positions (a speculative draft that was rejected).
  void truncate(std::int64_t length);
  void clear();

 private:
  std::vector<LayerCache> layers_;
};

class SelfAttentionImpl : public torch::nn::Module {
 public:
  SelfAttentionImpl(const ModelConfig& config, bool causal);
  // x: [batch, time, d_model]. padding: [batch, keys] booleans, true where a key is padding
  // (optional). With a cache, x holds the new positions only and the cache grows by them.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padding = {},
                        LayerCache* cache = nullptr);

  AdaptableLinear q{nullptr}, k{nullptr}, v{nullptr}, o{nullptr};

 private:
  std::int64_t heads_;
  bool causal_;
};
TORCH_MODULE(SelfAttention);

// A pre-norm transformer block: x + attention(norm(x)), then x + mlp(norm(x)).
class BlockImpl : public torch::nn::Module {
 public:
  BlockImpl(const ModelConfig& config, bool causal);
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& padding = {},
                        LayerCache* cache = nullptr);

  torch::nn::LayerNorm norm1{nullptr}, norm2{nullptr};
  SelfAttention attention{nullptr};
  AdaptableLinear ff1{nullptr}, ff2{nullptr};
};
TORCH_MODULE(Block);

// What the decoder and the encoder share: token and position embeddings, the blocks (with
// or without the causal mask) and the final norm, initialized as GPT-2 does.
class TransformerStack : public torch::nn::Module {
 public:
  // tokens: [batch, time] (int64) at positions start, start+1, ... -> [batch, time, d_model].
  // Throws InvalidArgument when the positions pass the context or a token the vocabulary.
  torch::Tensor embed(const torch::Tensor& tokens, std::int64_t start = 0);
  const ModelConfig& config() const noexcept { return config_; }
  std::size_t layers() const noexcept { return blocks_.size(); }

  torch::nn::Embedding token_embedding{nullptr}, position_embedding{nullptr};
  torch::nn::LayerNorm final_norm{nullptr};

 protected:
  TransformerStack(ModelConfig config, bool causal);
  ModelConfig config_;
  torch::nn::ModuleList block_list_{nullptr};
  std::vector<Block> blocks_;
};

class DecoderLMImpl : public TransformerStack {
 public:
  explicit DecoderLMImpl(ModelConfig config);

  torch::Tensor block(std::size_t i, const torch::Tensor& x, LayerCache* cache = nullptr);
  // Final norm and the tied projection: [batch, time, vocab] logits.
  torch::Tensor head(const torch::Tensor& x);
  // embed, every block, head; with a cache, tokens are the positions after the cached ones.
  torch::Tensor forward(const torch::Tensor& tokens, KVCache* cache = nullptr);
  // Summed next-token cross entropy over windows [batch, time + 1] (inputs are the first
  // `time` tokens, targets the last `time`); padding targets are ignored.
  torch::Tensor loss_sum(const torch::Tensor& windows);

  KVCache make_cache() const { return KVCache(blocks_.size()); }
};
TORCH_MODULE(DecoderLM);

class EncoderImpl : public TransformerStack {
 public:
  explicit EncoderImpl(ModelConfig config);
  // tokens: [batch, time]; padding: [batch, time], true at padding (optional).
  // Returns the final hidden states [batch, time, d_model].
  torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& padding = {});
  // Block i alone (one task per block): [batch, time, d_model] -> the same shape.
  torch::Tensor block(std::size_t i, const torch::Tensor& x, const torch::Tensor& padding = {});
};
TORCH_MODULE(Encoder);

// Encoder + mean over the non-padding positions + a linear layer: [batch, classes] logits.
class ClassifierImpl : public torch::nn::Module {
 public:
  ClassifierImpl(ModelConfig config, std::int64_t classes);
  torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& padding = {});
  Encoder encoder{nullptr};
  torch::nn::Linear output{nullptr};
};
TORCH_MODULE(Classifier);

// Encoder + a start and an end logit per position: [batch, time, 2] (extractive answers).
class SpanReaderImpl : public torch::nn::Module {
 public:
  explicit SpanReaderImpl(ModelConfig config);
  torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& padding = {});
  Encoder encoder{nullptr};
  torch::nn::Linear output{nullptr};
};
TORCH_MODULE(SpanReader);

struct LoraOptions {
  std::int64_t rank = 8;
  double alpha = 16;
  // Which projections take an adapter: q, k, v, o (attention), ff1, ff2 (feed-forward).
  std::vector<std::string> targets = {"q", "v"};
};

// Freezes every parameter of `module` and adds an adapter to the chosen projections of
// every block in it; returns how many layers were adapted. Throws InvalidArgument on an
// unknown target.
std::size_t apply_lora(torch::nn::Module& module, const LoraOptions& options);
void merge_lora(torch::nn::Module& module);
void unmerge_lora(torch::nn::Module& module);

// Elements of the parameters of `module` (trainable ones only when asked).
std::int64_t count_parameters(const torch::nn::Module& module, bool trainable_only = false);

}  // namespace tessera::nn
