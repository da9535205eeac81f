#pragma once
// Access modes of a task on a data handle. Dependencies between tasks are inferred from
// these modes in submission order (sequential task flow), as in StarPU:
//   R        read only: waits for the last writer.
//   W, RW    write: waits for every reader since the last writer (or for the last writer).
//   SCRATCH  a private, uninitialised buffer of the handle's size: no dependency at all.
//   COMMUTE  combined with W or RW: consecutive commuting writers may run in any order
//            but never at the same time.

#include <cstdint>
#include <string>

namespace tessera {

enum class Access : std::uint8_t { R = 1, W = 2, RW = 3, SCRATCH = 4, COMMUTE = 8 };

constexpr Access operator|(Access a, Access b) {
  return static_cast<Access>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr bool has_flag(Access mode, Access flag) {
  return (static_cast<std::uint8_t>(mode) & static_cast<std::uint8_t>(flag)) != 0;
}
constexpr bool reads(Access mode) {
  return has_flag(mode, Access::R);
}
constexpr bool writes(Access mode) {
  return has_flag(mode, Access::W);
}
constexpr bool is_scratch(Access mode) {
  return has_flag(mode, Access::SCRATCH);
}
constexpr bool is_commute(Access mode) {
  return has_flag(mode, Access::COMMUTE);
}

// R, W, RW, SCRATCH, W|COMMUTE and RW|COMMUTE are valid; anything else is not.
constexpr bool is_valid(Access mode) {
  switch (static_cast<std::uint8_t>(mode)) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 10:
    case 11:
      return true;
    default:
      return false;
  }
}

// "R", "RW|COMMUTE", or "invalid(0x..)" for an invalid mode.
std::string to_string(Access mode);

inline constexpr Access R = Access::R;
inline constexpr Access W = Access::W;
inline constexpr Access RW = Access::RW;
inline constexpr Access SCRATCH = Access::SCRATCH;
inline constexpr Access COMMUTE = Access::COMMUTE;

}  // namespace tessera
