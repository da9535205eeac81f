#include "tessera/nn/torch_codelet.hpp"

#include <ATen/Parallel.h>
#include <c10/util/Exception.h>
#include <torch/types.h>

#include <charconv>
#include <cstdlib>
#include <cstring>

#include <tessera/error.hpp>
#include <tessera/task_context.hpp>

extern "C" {
int openblas_get_num_threads(void);
void openblas_set_num_threads(int);
}

namespace tessera::nn {

int torch_threads() {
  const char* env = std::getenv("TESSERA_TORCH_THREADS");
  if (env == nullptr || *env == '\0') return 1;
  int value = 0;
  const char* end = env + std::strlen(env);
  const auto [ptr, ec] = std::from_chars(env, end, value);
  if (ec != std::errc{} || ptr != end || value < 1 || value > 1024) {
    throw InvalidArgument(std::string("TESSERA_TORCH_THREADS: expected a positive integer, got '") +
                          env + "'");
  }
  return value;
}

void set_intra_op_threads(int threads) {
  if (threads < 1) {
    throw InvalidArgument("intra-op threads must be at least 1 (got " + std::to_string(threads) +
                          ")");
  }
  if (at::get_num_threads() != threads) at::set_num_threads(threads);
  // LibTorch's CPU matrix products run in OpenBLAS, whose pool is process-wide.
  if (openblas_get_num_threads() != threads) openblas_set_num_threads(threads);
}

Codelet torch_codelet(std::string name, Kernel kernel, TorchTaskOptions options) {
  if (!kernel) throw InvalidArgument("torch_codelet '" + name + "': empty kernel");
  if (options.intra_op_threads < 0) {
    throw InvalidArgument("torch_codelet '" + name + "': intra_op_threads must be >= 0");
  }
  const int threads = options.intra_op_threads > 0 ? options.intra_op_threads : torch_threads();
  Codelet codelet(std::move(name));
  codelet.cpu([kernel = std::move(kernel), threads, grad = options.grad](TaskContext& ctx) {
    try {
      set_intra_op_threads(threads);
      torch::AutoGradMode mode(grad);
      kernel(ctx);
    } catch (const c10::Error& e) {
      throw Error("LibTorch: " + std::string(e.what_without_backtrace()));
    }
  });
  return codelet;
}

}  // namespace tessera::nn
