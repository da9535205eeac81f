#pragma once
// Codelet: a named operation with one implementation per architecture, an optional
// performance model, and footprint/flop functions used by models and reports.
//
//   tessera::Codelet axpy{"axpy"};
//   axpy.cpu([](tessera::TaskContext& ctx) {
//     auto x = ctx.vector<double>(0);
//     auto y = ctx.vector<double>(1);
//     double alpha = ctx.arg<double>(0);
//     for (std::size_t i = 0; i < y.size(); ++i) y[i] += alpha * x[i];
//   });
//
// A Codelet is a value with shared, immutable storage: copying it is cheap, and changing
// one copy (or changing it after tasks were submitted with it) never affects the others.

#include <array>
#include <functional>
#include <memory>
#include <string>

#include "tessera/arch.hpp"
#include "tessera/perf_model.hpp"

namespace tessera {

class TaskContext;

using Kernel = std::function<void(TaskContext&)>;
using FootprintFn = std::function<Footprint(const TaskShape&)>;
using FlopsFn = std::function<double(const TaskShape&)>;

struct CodeletState {
  std::string name;
  std::array<Kernel, kArchCount> kernels{};
  std::shared_ptr<PerfModel> model;
  FootprintFn footprint;
  FlopsFn flops;
};

class Codelet {
 public:
  // Throws InvalidArgument if `name` is empty.
  explicit Codelet(std::string name);

  const std::string& name() const noexcept { return state_->name; }

  Codelet& implement(Arch arch, Kernel kernel);
  Codelet& cpu(Kernel kernel) { return implement(Arch::cpu, std::move(kernel)); }
  Codelet& cuda(Kernel kernel) { return implement(Arch::cuda, std::move(kernel)); }
  bool implements(Arch arch) const noexcept {
    return static_cast<bool>(state_->kernels[index_of(arch)]);
  }
  // True if at least one architecture has an implementation.
  bool implemented() const noexcept;

  Codelet& model(std::shared_ptr<PerfModel> model);
  const std::shared_ptr<PerfModel>& model() const noexcept { return state_->model; }

  Codelet& footprint(FootprintFn fn);
  Codelet& flops(FlopsFn fn);
  Footprint footprint_of(const TaskShape& shape) const;
  // 0 when no flop function was given.
  double flops_of(const TaskShape& shape) const;

  const std::shared_ptr<const CodeletState>& state() const noexcept { return state_; }

 private:
  CodeletState& mutable_state();
  std::shared_ptr<const CodeletState> state_;
};

}  // namespace tessera
