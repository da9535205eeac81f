#include "tessera/codelet.hpp"

#include <bit>

#include "tessera/error.hpp"

namespace tessera {

Codelet::Codelet(std::string name) {
  if (name.empty()) throw InvalidArgument("a codelet needs a non-empty name");
  auto state = std::make_shared<CodeletState>();
  state->name = std::move(name);
  state_ = std::move(state);
}

CodeletState& Codelet::mutable_state() {
  // Copy on write: tasks already submitted keep the definition they were submitted with.
  if (state_.use_count() > 1) state_ = std::make_shared<CodeletState>(*state_);
  return const_cast<CodeletState&>(*state_);
}

Codelet& Codelet::implement(Arch arch, Kernel kernel) {
  if (!kernel)
    throw InvalidArgument("codelet '" + name() + "': empty " + std::string(to_string(arch)) +
                          " kernel");
  mutable_state().kernels[index_of(arch)] = std::move(kernel);
  return *this;
}

bool Codelet::implemented() const noexcept {
  for (const Kernel& k : state_->kernels) {
    if (k) return true;
  }
  return false;
}

Codelet& Codelet::model(std::shared_ptr<PerfModel> model) {
  mutable_state().model = std::move(model);
  return *this;
}

Codelet& Codelet::footprint(FootprintFn fn) {
  mutable_state().footprint = std::move(fn);
  return *this;
}

Codelet& Codelet::flops(FlopsFn fn) {
  mutable_state().flops = std::move(fn);
  return *this;
}

Footprint Codelet::footprint_of(const TaskShape& shape) const {
  return state_->footprint ? state_->footprint(shape) : default_footprint(shape);
}

double Codelet::flops_of(const TaskShape& shape) const {
  return state_->flops ? state_->flops(shape) : 0.0;
}

Footprint default_footprint(const TaskShape& shape) {
  // FNV-1a style mixing of each buffer's shape: equal shapes give equal keys.
  std::uint64_t key = 0xcbf29ce484222325ull;
  double bytes = 0.0;
  auto mix = [&key](std::uint64_t v) {
    key ^= v;
    key *= 0x100000001b3ull;
    key = std::rotl(key, 17);
  };
  for (const DataLayout& l : shape.layouts) {
    mix(static_cast<std::uint64_t>(l.kind));
    mix(l.elem_size);
    mix(l.rows);
    mix(l.cols);
    bytes += static_cast<double>(l.bytes());
  }
  return {key, bytes};
}

}  // namespace tessera
