#pragma once
// Architectures a codelet can be implemented for and a worker can belong to.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace tessera {

enum class Arch : std::uint8_t { cpu = 0, cuda = 1, opencl = 2 };

inline constexpr std::size_t kArchCount = 3;
inline constexpr std::array<Arch, kArchCount> kAllArchs = {Arch::cpu, Arch::cuda, Arch::opencl};

constexpr std::size_t index_of(Arch arch) {
  return static_cast<std::size_t>(arch);
}

constexpr std::string_view to_string(Arch arch) {
  switch (arch) {
    case Arch::cpu:
      return "cpu";
    case Arch::cuda:
      return "cuda";
    case Arch::opencl:
      return "opencl";
  }
  return "unknown";
}

// Parses "cpu", "cuda" or "opencl"; nullopt for anything else.
constexpr std::optional<Arch> parse_arch(std::string_view text) {
  for (Arch arch : kAllArchs) {
    if (to_string(arch) == text) return arch;
  }
  return std::nullopt;
}

}  // namespace tessera
