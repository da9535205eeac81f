#pragma once
// Shared by the MPI tests: a small runtime per rank (ranks share this machine's cores).

#include <tessera/config.hpp>

namespace tessera::testing {

inline Config rank_config(const char* sched = "eager") {
  Config c;
  c.ncpu = 1;
  c.ncuda = 0;
  c.sched = sched;
  c.bind_workers = false;  // several ranks per core under --oversubscribe
  return c;
}

}  // namespace tessera::testing
