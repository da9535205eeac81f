// Built when StarPU was not found: no StarPU column.
#include "peers.hpp"
std::vector<tessera::bench::Runner> tessera::bench::starpu_runners(int) {
  return {};
}
