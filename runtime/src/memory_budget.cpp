#include "tessera/memory_budget.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tessera/error.hpp"

namespace tessera {

std::uint64_t machine_memory_bytes() {
  if (const char* env = std::getenv("TESSERA_MEMORY_BYTES"); env != nullptr && *env != '\0') {
    std::uint64_t bytes = 0;
    const char* end = env + std::strlen(env);
    const auto [at, ec] = std::from_chars(env, end, bytes);
    if (ec != std::errc() || at != end || bytes == 0) {
      throw InvalidArgument(std::string("TESSERA_MEMORY_BYTES='") + env +
                            "' is not a positive number of bytes");
    }
    return bytes;
  }
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGESIZE);
  if (pages <= 0 || page <= 0) return UINT64_MAX;  // unknown: do not refuse
  return static_cast<std::uint64_t>(pages) * static_cast<std::uint64_t>(page);
}

void require_memory(double bytes, const std::string& what) {
  const auto have = static_cast<double>(machine_memory_bytes());
  if (!(bytes > have)) return;
  char text[160];
  if (bytes < 1e18) {
    std::snprintf(text, sizeof text, "needs about %.3g GB, more than the %.3g GB of this machine",
                  bytes / 1e9, have / 1e9);
  } else {
    std::snprintf(text, sizeof text,
                  "needs more than 1e9 GB, more than the %.3g GB of this machine", have / 1e9);
  }
  throw InvalidArgument(what + " " + text + " (TESSERA_MEMORY_BYTES overrides)");
}

}  // namespace tessera
