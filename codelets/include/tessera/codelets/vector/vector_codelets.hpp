#pragma once
// Small vector codelets on double-precision data, used by the demo, the benchmarks and as
// building blocks for reductions.

#include <tessera/codelet.hpp>

namespace tessera::codelets {

// sum: buffer 0 is a vector<double> (R); buffer 1 a one-element vector<double> (W) that
// receives the sum of buffer 0.
const Codelet& vector_sum();

// add: buffer 2 (W) = buffer 0 (R) + buffer 1 (R), element-wise on vectors of equal length
// (one step of a reduction tree).
const Codelet& vector_add();

// axpy: buffer 1 (RW) += alpha * buffer 0 (R); argument 0 is alpha (double).
const Codelet& axpy();

}  // namespace tessera::codelets
