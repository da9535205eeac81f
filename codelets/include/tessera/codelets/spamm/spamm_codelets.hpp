#pragma once
// The tile codelets of SpAMM (sparse approximate matrix multiply): C = A B where the tile
// product A_ik B_kj is computed only if ||A_ik||_F ||B_kj||_F >= tau. Every matrix buffer is
// a MatrixHandle of one FP32 tile (column-major, any leading dimension; edge tiles may be
// smaller); norms are FP32 vector handles.
//
// Buffers, in access order:
//   tile_norms      out (W, vector<float> of m), t_0..t_{m-1} (R)     out[q] = ||t_q||_F
//   tile_product    norm_a (R, vector<float>), norm_b (R, vector<float>), C (W),
//                   then one pair per candidate q: A_q (R), B_q (R)
//                   args: float tau, std::vector<std::uint32_t> ks (one index per pair)
//                   C = sum over the pairs q with norm_a[ks[q]] * norm_b[ks[q]] >= tau of A_q B_q
//                   (C = 0 when no pair is selected)
// The product kernel selects among its candidates itself, so the candidate list may be any
// superset of the selected products: an application that knows the norms before submitting
// (as apps/spamm does) passes only the selected pairs, so that only their tiles move to a GPU.
//
// Implementations: CPU with OpenBLAS (one thread per task); CUDA with Tessera's own kernels
// (the valid k are compacted on the device, 64 x 64 blocks of C multiply through shared
// memory with double buffering in FP32) when Tessera is built with CUDA. The FP16 product
// converts its input tiles to half precision and multiplies them on tensor cores (WMMA)
// with FP32 accumulation: it has no CPU implementation, and its tiles must have sides that
// are multiples of 16.

#include <cstdint>
#include <string>

#include <tessera/codelet.hpp>

namespace tessera::codelets::spamm {

enum class Precision { fp32, fp16 };

// Parses "fp32" or "fp16"; throws InvalidArgument naming anything else.
Precision parse_precision(const std::string& text);
const char* to_string(Precision precision);

const Codelet& tile_norms();
const Codelet& tile_product(Precision precision);

// Whether this build has the CUDA implementations (and this machine a GPU).
bool has_cuda();

}  // namespace tessera::codelets::spamm
