#include <tessera/codelets/vector/vector_codelets.hpp>

#include <stdexcept>
#include <string>

#include <tessera/task_context.hpp>

namespace tessera::codelets {
namespace {

void require_same_length(const TaskContext& ctx, std::size_t a, std::size_t b) {
  if (ctx.buffer(a).layout.rows != ctx.buffer(b).layout.rows) {
    throw std::invalid_argument(std::string(ctx.task_name()) + ": buffers " + std::to_string(a) +
                                " and " + std::to_string(b) + " have different lengths");
  }
}

double elementwise_flops(const TaskShape& shape) {
  return shape.layouts.empty() ? 0.0 : static_cast<double>(shape.layouts[0].rows);
}

}  // namespace

const Codelet& vector_sum() {
  static const Codelet codelet = [] {
    Codelet c("vector_sum");
    c.cpu([](TaskContext& ctx) {
      double total = 0.0;
      for (double x : ctx.vector<double>(0)) total += x;
      ctx.vector<double>(1)[0] = total;
    });
    c.flops(elementwise_flops);
    return c;
  }();
  return codelet;
}

const Codelet& vector_add() {
  static const Codelet codelet = [] {
    Codelet c("vector_add");
    c.cpu([](TaskContext& ctx) {
      require_same_length(ctx, 0, 2);
      require_same_length(ctx, 1, 2);
      auto a = ctx.vector<double>(0);
      auto b = ctx.vector<double>(1);
      auto out = ctx.vector<double>(2);
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = a[i] + b[i];
    });
    c.flops(elementwise_flops);
    return c;
  }();
  return codelet;
}

const Codelet& axpy() {
  static const Codelet codelet = [] {
    Codelet c("axpy");
    c.cpu([](TaskContext& ctx) {
      require_same_length(ctx, 0, 1);
      const double alpha = ctx.arg<double>(0);
      auto x = ctx.vector<double>(0);
      auto y = ctx.vector<double>(1);
      for (std::size_t i = 0; i < y.size(); ++i) y[i] += alpha * x[i];
    });
    c.flops([](const TaskShape& s) { return 2.0 * elementwise_flops(s); });
    return c;
  }();
  return codelet;
}

}  // namespace tessera::codelets
