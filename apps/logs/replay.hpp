#pragma once
// Large synthetic logs for throughput measurements: a sample log replayed line after line,
// over and over, with every run of digits replaced by fresh random digits of the same length
// (numbers, ids, addresses and times change; the words and the formats stay real).

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

namespace tessera::logs {

// Writes `lines` lines to `out`, cycling through `sample` (which must not be empty).
// Deterministic for a given seed.
void replay_log(const std::vector<std::string>& sample, std::uint64_t lines, std::uint64_t seed,
                std::ostream& out);

}  // namespace tessera::logs
