#pragma once
// The input matrices of SpAMM: decaying matrices generated on the fly, as in cuSpAMM's
// experiments, or a Matrix Market file.
//   exp:c,v   a_ij = c * v^|i-j|          (exponential decay)
//   alg:c,v   a_ij = c / (|i-j|^v + 1)    (algebraic decay)
//   PATH.mtx  a Matrix Market file (must be square)

#include <cstddef>
#include <string>
#include <vector>

namespace tessera::spamm {

struct MatrixSpec {
  enum class Kind { exponential, algebraic, file };
  Kind kind = Kind::exponential;
  double c = 1.0, v = 0.1;
  std::string path;

  // Throws InvalidArgument naming the text when it is neither form.
  static MatrixSpec parse(const std::string& text);
  std::string describe() const;
  bool generated() const { return kind != Kind::file; }
  // The element (i, j) of a generated matrix.
  double at(std::size_t i, std::size_t j) const;
};

// The n x n column-major FP32 matrix of `spec`. For a file, n must be 0 (take the file's) or
// its order; throws InvalidArgument otherwise or when the file's matrix is not square.
std::vector<float> make_matrix(const MatrixSpec& spec, std::size_t& n);

}  // namespace tessera::spamm
