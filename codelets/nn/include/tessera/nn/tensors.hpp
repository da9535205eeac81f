#pragma once
// LibTorch tensors as Tessera data. A tensor, or a named set of tensors (a module's
// parameters, their gradients, an optimizer's state), is registered as an object: tasks read
// or write it with the usual access modes, dependencies are inferred as for any data, and a
// kernel gets the very tensor back from its TaskContext, without a copy.
//
//   auto weights = tessera::nn::register_tensor(rt, torch::ones({4, 4}), "weights");
//   rt.task(scale).read_write(weights).submit();
//   // in scale's kernel: tessera::nn::tensor(ctx, 0).mul_(2);
//
// Objects never move between memory nodes: a tensor stays on the device it was made on.
// Here LibTorch is CPU-only, so every tensor lives in host memory; with a CUDA build of
// LibTorch a task on a CUDA tensor would be restricted to CUDA workers (arch_of(device)),
// see docs/learning.md.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include <tessera/arch.hpp>
#include <tessera/data.hpp>
#include <tessera/runtime.hpp>
#include <tessera/task_context.hpp>

namespace tessera::nn {

// Tensors with names, in a fixed order (the order of a module's parameters).
class TensorSet {
 public:
  TensorSet() = default;
  void add(std::string name, torch::Tensor tensor);
  std::size_t size() const noexcept { return tensors_.size(); }
  bool empty() const noexcept { return tensors_.empty(); }
  torch::Tensor& operator[](std::size_t i) { return tensors_.at(i); }
  const torch::Tensor& operator[](std::size_t i) const { return tensors_.at(i); }
  // Throws InvalidArgument naming `name` when the set has no such tensor.
  torch::Tensor& at(std::string_view name);
  const std::string& name(std::size_t i) const { return names_.at(i); }
  const std::vector<torch::Tensor>& tensors() const noexcept { return tensors_; }
  std::vector<torch::Tensor>& tensors() noexcept { return tensors_; }
  std::int64_t numel() const;
  std::size_t bytes() const;

 private:
  std::vector<std::string> names_;
  std::vector<torch::Tensor> tensors_;
};

using TensorHandle = ObjectHandle<torch::Tensor>;
using TensorSetHandle = ObjectHandle<TensorSet>;

TensorHandle register_tensor(Runtime& runtime, torch::Tensor tensor, std::string name = {});
TensorSetHandle register_tensors(Runtime& runtime, std::shared_ptr<TensorSet> set,
                                 std::string name = {});

// Buffer i of a running task as the registered tensor or tensor set (the object itself).
inline torch::Tensor& tensor(const TaskContext& ctx, std::size_t i) {
  return ctx.object<torch::Tensor>(i);
}
inline TensorSet& tensors(const TaskContext& ctx, std::size_t i) {
  return ctx.object<TensorSet>(i);
}

// The module's parameters (only those that require a gradient when `trainable_only`) in
// the module's order, cut into `shards` consecutive sets of about equal element counts
// (fewer when there are fewer tensors). The tensors are shared with the module.
std::vector<std::shared_ptr<TensorSet>> parameter_shards(const torch::nn::Module& module,
                                                         int shards, bool trainable_only = true);

// The worker architecture that can run a kernel on tensors of `device`.
Arch arch_of(const torch::Device& device);

}  // namespace tessera::nn
