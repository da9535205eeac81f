#pragma once
// Training of an encoder classifier as a task graph with block-level checkpointing. One
// iteration is, for L blocks:
//
//   embed          W embedding state                      token and position embeddings
//   forward[i]     R state[i-1], W state[i]               block i; a checkpointed block runs
//                                                         without autograd and keeps only its
//                                                         output (the next block's input)
//   head           RW state[L-1]                          norm, pooling, classes, loss and its
//                                                         backward (the gradient of the last
//                                                         block's output)
//   recompute[i]   RW state[i]                            a checkpointed block again, with
//                                                         autograd (before its backward)
//   backward[i]    RW state[i], RW state[i-1]             gradients of block i's parameters and
//                                                         of its input
//   embed.backward RW embedding state
//   adamw[s]       R every state                          AdamW on parameter shard s
//
// The bytes each block keeps and its forward time are measured by the MemoryMeter inside
// the tasks. No LibTorch in this header (the model lives behind it).

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tessera/nn/model_config.hpp>
#include <tessera/runtime.hpp>

#include "mimose/memory_model.hpp"
#include "mimose/sentence_pairs.hpp"

namespace tessera::mimose {

struct TrainerOptions {
  nn::ModelConfig config;  // the encoder (vocab set)
  std::int64_t classes = 2;
  double learning_rate = 1e-3;
  std::uint64_t seed = 1;  // initialization
  int threads = 1;         // LibTorch intra-op threads per task
  int shards = 1;          // optimizer tasks
};

struct IterationMeasure : MemoryObservation {
  double seconds = 0;
  double loss = 0;
  std::size_t evictions = 0;  // DTR: block activations evicted (and recomputed)
  std::string evicted;        // per block: 'e' when evicted at least once
};

class CheckpointedTrainer {
 public:
  CheckpointedTrainer(Runtime& runtime, TrainerOptions options);
  ~CheckpointedTrainer();
  CheckpointedTrainer(const CheckpointedTrainer&) = delete;
  CheckpointedTrainer& operator=(const CheckpointedTrainer&) = delete;

  // One iteration under `plan`, within `limit` bytes of live memory (0: no limit). With
  // `step` false the parameters stay as they are and the gradients are kept (a probe, or a
  // test). Throws BudgetExceeded when an allocation was refused; the iteration then left
  // nothing behind (no gradient, no parameter change).
  IterationMeasure run(const Batch& batch, const Plan& plan, std::size_t limit = 0,
                       bool step = true);

  std::size_t blocks() const noexcept;
  std::int64_t parameters() const;
  // Every parameter's gradient (zeros where none), concatenated in the model's order.
  std::vector<float> gradients() const;
  void drop_gradients();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace tessera::mimose
