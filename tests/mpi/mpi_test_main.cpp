// GoogleTest main for the tests that run under mpirun: one process per rank, each running
// every test; the job fails if any rank fails. Rank 0 prints the usual report; the other
// ranks print only their failures, each line prefixed with the rank.

#include <gtest/gtest.h>
#include <mpi.h>

#include <cstdio>

#include <tessera/mpi/environment.hpp>

namespace {

class RankFailurePrinter final : public testing::EmptyTestEventListener {
 public:
  explicit RankFailurePrinter(int rank) : rank_(rank) {}
  void OnTestPartResult(const testing::TestPartResult& result) override {
    if (!result.failed()) return;
    std::fprintf(stderr, "[rank %d] %s:%d: failure\n%s\n", rank_,
                 result.file_name() ? result.file_name() : "?", result.line_number(),
                 result.message());
    std::fflush(stderr);
  }
  void OnTestEnd(const testing::TestInfo& info) override {
    if (!info.result()->Failed()) return;
    std::fprintf(stderr, "[rank %d] FAILED %s.%s\n", rank_, info.test_suite_name(), info.name());
    std::fflush(stderr);
  }

 private:
  int rank_;
};

}  // namespace

int main(int argc, char** argv) {
  tessera::mpi::Environment env(argc, argv);
  testing::InitGoogleTest(&argc, argv);
  if (env.rank() != 0) {
    auto& listeners = testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
    listeners.Append(new RankFailurePrinter(env.rank()));
  }
  int result = RUN_ALL_TESTS();
  int worst = 0;
  MPI_Allreduce(&result, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (worst != 0 && result == 0 && env.rank() == 0)
    std::fprintf(stderr, "a test failed on another rank (its failures are printed above)\n");
  return worst;
}
