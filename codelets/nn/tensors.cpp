#include "tessera/nn/tensors.hpp"

#include <numeric>

#include <tessera/error.hpp>

namespace tessera::nn {

void TensorSet::add(std::string name, torch::Tensor tensor) {
  if (!tensor.defined()) throw InvalidArgument("tensor set: tensor '" + name + "' is undefined");
  names_.push_back(std::move(name));
  tensors_.push_back(std::move(tensor));
}

torch::Tensor& TensorSet::at(std::string_view name) {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return tensors_[i];
  }
  throw InvalidArgument("tensor set: no tensor named '" + std::string(name) + "'");
}

std::int64_t TensorSet::numel() const {
  std::int64_t n = 0;
  for (const auto& t : tensors_) n += t.numel();
  return n;
}

std::size_t TensorSet::bytes() const {
  std::size_t n = 0;
  for (const auto& t : tensors_) n += static_cast<std::size_t>(t.numel()) * t.element_size();
  return n;
}

TensorHandle register_tensor(Runtime& runtime, torch::Tensor tensor, std::string name) {
  if (!tensor.defined()) throw InvalidArgument("register_tensor: the tensor is undefined");
  auto handle = runtime.register_object(std::make_shared<torch::Tensor>(std::move(tensor)));
  if (!name.empty()) handle.set_name(std::move(name));
  return handle;
}

TensorSetHandle register_tensors(Runtime& runtime, std::shared_ptr<TensorSet> set,
                                 std::string name) {
  if (!set) throw InvalidArgument("register_tensors: null tensor set");
  auto handle = runtime.register_object(std::move(set));
  if (!name.empty()) handle.set_name(std::move(name));
  return handle;
}

std::vector<std::shared_ptr<TensorSet>> parameter_shards(const torch::nn::Module& module,
                                                         int shards, bool trainable_only) {
  if (shards < 1) throw InvalidArgument("parameter_shards: shards must be at least 1");
  std::vector<std::pair<std::string, torch::Tensor>> params;
  std::int64_t total = 0;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    if (trainable_only && !item.value().requires_grad()) continue;
    params.emplace_back(item.key(), item.value());
    total += item.value().numel();
  }
  std::vector<std::shared_ptr<TensorSet>> out;
  if (params.empty()) return out;
  const int count = std::min<int>(shards, static_cast<int>(params.size()));
  out.push_back(std::make_shared<TensorSet>());
  std::int64_t filled = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    // Start the next shard once this one holds its share, keeping a tensor for each of
    // the shards still to fill.
    const auto remaining_tensors = static_cast<int>(params.size() - i);
    const int open = count - static_cast<int>(out.size());
    const bool share_reached =
        filled * count >= total * static_cast<std::int64_t>(out.size()) && !out.back()->empty();
    if (open > 0 && (share_reached || remaining_tensors <= open)) {
      out.push_back(std::make_shared<TensorSet>());
    }
    out.back()->add(params[i].first, params[i].second);
    filled += params[i].second.numel();
  }
  return out;
}

Arch arch_of(const torch::Device& device) {
  if (device.is_cpu()) return Arch::cpu;
  if (device.is_cuda()) return Arch::cuda;
  throw InvalidArgument("arch_of: no Tessera worker runs tensors on device '" + device.str() + "'");
}

}  // namespace tessera::nn
