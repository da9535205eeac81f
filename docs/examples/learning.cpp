// docs/learning.md: tensors as data, a torch codelet, and a language model trained as a
// task graph, then asked to continue a line.

#include <cstdio>
#include <string>
#include <vector>

#include <tessera/nn/corpus.hpp>
#include <tessera/nn/decoding.hpp>
#include <tessera/nn/tensors.hpp>
#include <tessera/nn/tokenizer.hpp>
#include <tessera/nn/torch_codelet.hpp>
#include <tessera/nn/training.hpp>
#include <tessera/tessera.hpp>

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(2).with_ncuda(0)};

  // 1. A tensor as data: three tasks scale it in place, in submission order.
  torch::Tensor w = torch::ones({2, 2});
  auto weights = tessera::nn::register_tensor(rt, w, "weights");  // shares w's storage
  auto scale = tessera::nn::torch_codelet("scale", [](tessera::TaskContext& ctx) {
    tessera::nn::tensor(ctx, 0).mul_(ctx.arg<double>(0));
  });
  for (double f : {2.0, 3.0, 0.5}) rt.task(scale).read_write(weights).args(f).submit();
  rt.wait_all();
  std::printf("sum after scaling: %.1f\n", w.sum().item<double>());

  // 2. A tokenizer and a tiny decoder trained on a few lines, steps as task graphs.
  std::vector<std::string> lines;
  for (int i = 0; i < 300; ++i)
    lines.push_back("task " + std::to_string(i % 5) + " reads tile " + std::to_string(i % 3));
  const auto tokenizer = tessera::nn::Tokenizer::train(lines, {.vocab_size = 40});
  tessera::nn::ModelConfig config = tessera::nn::model_size("tiny", tokenizer.vocab_size());
  torch::manual_seed(1);
  tessera::nn::DecoderLM model(config);
  tessera::nn::TaskTrainer trainer(rt, model, {.micro_batches = 2, .learning_rate = 1e-2});
  const auto stream = tessera::nn::encode_lines(tokenizer, lines);
  tessera::nn::WindowSampler sampler(stream, 16, /*seed=*/1);
  double first = 0, last = 0;
  for (int step = 0; step < 40; ++step) {
    const auto r = trainer.step(tessera::nn::windows_tensor(sampler.sample(8), 16));
    (step == 0 ? first : last) = r.loss;
  }
  std::printf("loss %.2f -> %.2f\n", first, last);

  // 3. Greedy decoding with the key/value cache, one task per token.
  auto prompt = tokenizer.encode("task 3 reads");
  prompt.insert(prompt.begin(), tessera::nn::Tokenizer::kEos);
  const auto next = tessera::nn::generate(
      rt, model, prompt, {.max_new_tokens = 4, .stop_at_eos = true, .sampling = {}});
  std::vector<int> words;
  for (int id : next) {
    if (id != tessera::nn::Tokenizer::kEos) words.push_back(id);
  }
  std::printf("task 3 reads%s\n",
              tokenizer.decode_after(std::span<const int>(prompt).subspan(1), words).c_str());
  return last < first ? 0 : 1;
}
