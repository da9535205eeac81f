#pragma once
// SpAMM as a task graph on a Runtime: C ~= A B for n x n column-major FP32 matrices cut into
// tile x tile blocks (one MatrixHandle per tile, so the runtime moves tiles to GPUs).
//
//   1. one norm task per tile row of A and per tile column of B (codelet spamm_norms), which
//      fill the norm vectors; the host reads them back and picks tau (given, or by bisection
//      for a valid rate);
//   2. one product task per tile of C (spamm_product_fp32/fp16), reading the norm vectors
//      and only the selected A_ik and B_kj: the work per task varies with the data, so the
//      policy's load balance matters. Its priority is its number of selected products.

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include <tessera/codelets/spamm/spamm_codelets.hpp>
#include <tessera/runtime.hpp>

#include "spamm/selection.hpp"

namespace tessera::spamm {

struct SpammOptions {
  std::size_t tile = 128;
  std::optional<float> tau;  // given: use it; else find it from valid_rate
  double valid_rate = 1.0;
  codelets::spamm::Precision precision = codelets::spamm::Precision::fp32;
};

// One execution of the graph, timed from the first submission to the last product task's end
// (C may still be on a GPU then: it comes home when the tiles are unregistered).
struct SpammRun {
  double norm_seconds = 0.0;     // norm tasks, and their results back on the host
  double select_seconds = 0.0;   // tau and the candidate lists, on the host
  double product_seconds = 0.0;  // product tasks
  double seconds() const { return norm_seconds + select_seconds + product_seconds; }
};

struct SpammResult {
  std::size_t n = 0, tile = 0, tiles = 0;
  float tau = 0.0f;
  std::uint64_t computed = 0, total = 0;  // tile products
  double valid_rate() const { return total ? static_cast<double>(computed) / total : 0.0; }
  std::size_t tasks = 0;  // per run
  ErrorBound bound;
  TileNorms norms;
  std::vector<SpammRun> runs;
  double best_seconds() const;
};

// Throws InvalidArgument for bad sizes or options (naming them).
void validate(std::size_t n, const SpammOptions& options);

// Runs the graph `repeat` times on the same registered tiles (the first run moves them to the
// GPUs, later ones find them there) and leaves C in `c`. `b` may equal `a` (then B's tiles are
// A's handles). `after_run` is called after each run.
SpammResult multiply(Runtime& runtime, const float* a, const float* b, float* c, std::size_t n,
                     const SpammOptions& options, int repeat = 1,
                     const std::function<void(const SpammRun&)>& after_run = {});

}  // namespace tessera::spamm
