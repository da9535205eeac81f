#include "tessera/mpi/environment.hpp"

#include <mpi.h>

#include <string>

#include <tessera/error.hpp>

namespace tessera::mpi {

Environment::Environment(int& argc, char**& argv) {
  init(&argc, &argv);
}
Environment::Environment() {
  init(nullptr, nullptr);
}

void Environment::init(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  int provided = 0;
  if (initialised) {
    MPI_Query_thread(&provided);
  } else {
    if (MPI_Init_thread(argc, argv, MPI_THREAD_MULTIPLE, &provided) != MPI_SUCCESS) {
      throw Error("MPI_Init_thread failed");
    }
    initialised_here_ = true;
  }
  if (provided < MPI_THREAD_SERIALIZED) {
    throw Error(
        "this MPI library provides thread level " + std::to_string(provided) +
        ", Tessera needs MPI_THREAD_SERIALIZED or better (its communication thread calls MPI)");
  }
}

Environment::~Environment() {
  if (!initialised_here_) return;
  int finalised = 0;
  MPI_Finalized(&finalised);
  if (!finalised) MPI_Finalize();
}

int Environment::rank() const {
  int rank = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int Environment::size() const {
  int size = 0;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

void Environment::abort(int code) {
  MPI_Abort(MPI_COMM_WORLD, code);
  __builtin_unreachable();
}

}  // namespace tessera::mpi
