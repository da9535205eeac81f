// Checks that mpirun can start a job on this machine at all, before any test of the
// distributed layer runs: plain MPI, no Tessera. When this fails, the MPI tests are not run
// and the message says the launcher, not Tessera, is at fault.

#include <mpi.h>

#include <cstdio>

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rank = 0;
  int size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int sum = 0;
  MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
  if (rank == 0)
    std::printf("mpirun started %d ranks; allreduce %s\n", size,
                sum == size * (size - 1) / 2 ? "OK" : "WRONG");
  MPI_Finalize();
  return 0;
}
