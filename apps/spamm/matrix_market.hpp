#pragma once
// A Matrix Market reader (https://math.nist.gov/MatrixMarket/formats.html): coordinate and
// array formats, real or integer values, general or symmetric. The result is dense: SpAMM
// works on near-sparse matrices stored densely.

#include <cstddef>
#include <istream>
#include <string>
#include <vector>

namespace tessera::spamm {

struct DenseMatrix {
  std::size_t rows = 0, cols = 0;
  std::vector<double> values;  // column-major, rows x cols
  double at(std::size_t i, std::size_t j) const { return values[i + j * rows]; }
};

// Throws InvalidArgument "<source>:<line>: <what is wrong>" on malformed input (missing or
// unsupported header, bad size line, non-numeric or out-of-range entries, too few or too
// many entries), and naming the file when it cannot be opened.
DenseMatrix read_matrix_market(std::istream& in, const std::string& source);
DenseMatrix read_matrix_market(const std::string& path);

}  // namespace tessera::spamm
