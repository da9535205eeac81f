#pragma once
// Codelets whose kernels call LibTorch. The wrapper fixes the number of intra-op threads a
// kernel may use (one per CPU worker by default, so that workers running side by side do
// not oversubscribe the cores) and the autograd mode, which LibTorch keeps per thread: a
// task must not inherit whatever the previous task on its worker left behind.
//
//   auto scale = tessera::nn::torch_codelet("scale", [](tessera::TaskContext& ctx) {
//     tessera::nn::tensor(ctx, 0).mul_(2);
//   });

#include <string>

#include <tessera/codelet.hpp>

namespace tessera::nn {

struct TorchTaskOptions {
  // Intra-op threads of LibTorch (and OpenBLAS) inside the kernel; 0: torch_threads().
  int intra_op_threads = 0;
  // Autograd recording on (a forward whose backward runs later) or off (evaluation,
  // optimizer steps, decoding).
  bool grad = false;
};

// $TESSERA_TORCH_THREADS when set (a positive integer), else 1.
int torch_threads();

// Sets this thread's LibTorch and OpenBLAS thread counts to `threads` (only when they
// differ: changing them flushes caches). Throws InvalidArgument for threads < 1.
// OpenBLAS's count is process-wide: codelets that run side by side should ask for the same
// number (the default gives every torch codelet the same).
void set_intra_op_threads(int threads);

// A CPU codelet running `kernel` under the options. LibTorch errors leave the kernel as
// tessera::Error with LibTorch's message (without its C++ backtrace).
Codelet torch_codelet(std::string name, Kernel kernel, TorchTaskOptions options = {});

}  // namespace tessera::nn
