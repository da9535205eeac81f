#include "tessera/mpi/distribution.hpp"

#include <charconv>

#include <tessera/error.hpp>

namespace tessera::mpi {

BlockCyclic1D::BlockCyclic1D(int ranks) : ranks_(ranks) {
  if (ranks < 1)
    throw InvalidArgument("BlockCyclic1D: ranks must be >= 1, got " + std::to_string(ranks));
}

BlockCyclic2D::BlockCyclic2D(int p, int q) : p_(p), q_(q) {
  if (p < 1 || q < 1) {
    throw InvalidArgument("BlockCyclic2D: grid dimensions must be >= 1, got " + std::to_string(p) +
                          "x" + std::to_string(q));
  }
}

BlockCyclic2D BlockCyclic2D::parse(const std::string& grid) {
  const auto x = grid.find('x');
  int p = 0;
  int q = 0;
  const auto parse_int = [](const char* begin, const char* end, int& out) {
    const auto [ptr, ec] = std::from_chars(begin, end, out);
    return ec == std::errc{} && ptr == end && begin != end;
  };
  const char* text = grid.data();
  if (x == std::string::npos || !parse_int(text, text + x, p) ||
      !parse_int(text + x + 1, text + grid.size(), q) || p < 1 || q < 1) {
    throw InvalidArgument("grid '" + grid + "': expected PxQ with P, Q >= 1 (e.g. 2x2)");
  }
  return {p, q};
}

void BlockCyclic2D::require_ranks(int ranks) const {
  if (ranks != p_ * q_) {
    throw InvalidArgument("grid " + to_string() + " needs " + std::to_string(p_ * q_) +
                          " MPI ranks, but the job has " + std::to_string(ranks) +
                          " (start it with mpirun -np " + std::to_string(p_ * q_) + ")");
  }
}

std::string BlockCyclic2D::to_string() const {
  return std::to_string(p_) + "x" + std::to_string(q_);
}

}  // namespace tessera::mpi
