#include "logs/replay.hpp"

#include <ostream>

#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

// SplitMix64: fast, and the same stream on every platform (std::uniform_int_distribution
// is not specified bit for bit).
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

void replay_log(const std::vector<std::string>& sample, std::uint64_t lines, std::uint64_t seed,
                std::ostream& out) {
  if (sample.empty()) throw InvalidArgument("logs replay: the sample log has no lines");
  SplitMix rng{seed};
  std::string buffer, line;
  for (std::uint64_t i = 0; i < lines; ++i) {
    line = sample[i % sample.size()];
    std::uint64_t bits = 0;
    int left = 0;
    for (std::size_t k = 0; k < line.size(); ++k) {
      if (!is_digit(line[k])) continue;
      // A leading digit keeps being non-zero, so that numbers keep their length.
      const bool leading = (k == 0 || !is_digit(line[k - 1])) && line[k] != '0';
      if (left == 0) {
        bits = rng.next();
        left = 16;
      }
      const unsigned d = static_cast<unsigned>(bits & 0xf) % 10;
      bits >>= 4;
      --left;
      line[k] = static_cast<char>('0' + (leading && d == 0 ? 1 : d));
    }
    buffer += line;
    buffer += '\n';
    if (buffer.size() >= (1u << 20)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  if (!out) throw Error("logs replay: cannot write the output");
}

}  // namespace tessera::logs
