// Built when oneTBB was not found: no TBB column.
#include "peers.hpp"
std::vector<tessera::bench::Runner> tessera::bench::tbb_runners(int) {
  return {};
}
