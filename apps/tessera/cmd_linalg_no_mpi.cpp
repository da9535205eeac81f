#include <tessera/error.hpp>

#include "tessera/distributed_linalg.hpp"

namespace tessera::cli {

int run_distributed_factorization(const std::string& command, const RuntimeOptions&,
                                  const linalg::FactorizationOptions&, const std::string& grid) {
  throw InvalidArgument(
      command + " --grid " + grid +
      ": this tessera was built without MPI (install libopenmpi-dev and rebuild)");
}

}  // namespace tessera::cli
