// GoogleTest main for the tests that run under mpirun: one process per rank, each running
// every test; the job fails if any rank fails.

#include <gtest/gtest.h>
#include <mpi.h>

#include <tessera/mpi/environment.hpp>

int main(int argc, char** argv) {
  tessera::mpi::Environment env(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  if (env.rank() != 0) {
    // One report is enough; failures on other ranks still print (and fail the job).
    auto& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  int result = RUN_ALL_TESTS();
  int worst = 0;
  MPI_Allreduce(&result, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (worst != 0 && result == 0 && env.rank() == 0)
    std::fprintf(stderr, "a test failed on another rank\n");
  return worst;
}
