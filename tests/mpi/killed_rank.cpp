// A rank killed by a signal in the middle of a distributed flow: the job must end, with a
// message naming the rank, within the test's time bound, and never hang the other ranks.
// Run by ctest under mpirun (tests/mpi/CMakeLists.txt); rank 1 kills itself with SIGKILL
// once the flow is running, while rank 0 waits for data that rank 1 was to send.

#include <chrono>
#include <csignal>
#include <cstdio>
#include <span>
#include <thread>
#include <vector>

#include <tessera/mpi/context.hpp>
#include <tessera/mpi/environment.hpp>
#include <tessera/tessera.hpp>

#include "mpi_test_support.hpp"

int main(int argc, char** argv) {
  tessera::mpi::Environment environment(argc, argv);
  std::vector<std::vector<double>> storage;
  tessera::Runtime rt(tessera::testing::rank_config());
  tessera::mpi::Context ctx(rt);
  if (ctx.size() < 2) {
    std::printf("needs 2 ranks\n");
    return 1;
  }
  storage.assign(static_cast<std::size_t>(ctx.size()), std::vector<double>(64, 1.0));
  std::vector<tessera::VectorHandle> handles;
  for (int r = 0; r < ctx.size(); ++r) {
    handles.push_back(rt.register_vector(std::span(storage[static_cast<std::size_t>(r)])));
    ctx.register_data(handles.back(), r);
  }
  tessera::Codelet step("step");
  step.cpu([](tessera::TaskContext& ctx) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
    ctx.vector<double>(1)[0] += ctx.vector<double>(0)[0];
  });
  for (int round = 0; round < 200; ++round) {
    for (int r = 0; r < ctx.size(); ++r) {
      ctx.task(step)
          .read(handles[static_cast<std::size_t>(r)])
          .read_write(handles[static_cast<std::size_t>((r + 1) % ctx.size())])
          .submit();
    }
    if (round == 20 && ctx.rank() == 1) std::raise(SIGKILL);
  }
  ctx.wait_all();
  std::printf("rank %d: the flow finished although rank 1 was killed\n", ctx.rank());
  return 0;
}
