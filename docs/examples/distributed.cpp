// The example of docs/mpi.md: a 1D stencil over vectors owned by different ranks.
// Run: mpirun -np 2 docs_example_distributed
#include <cstdio>
#include <span>
#include <vector>

#include <tessera/mpi/context.hpp>
#include <tessera/mpi/distribution.hpp>
#include <tessera/mpi/environment.hpp>
#include <tessera/tessera.hpp>

int main(int argc, char** argv) {
  tessera::mpi::Environment env(argc, argv);
  tessera::Runtime rt(tessera::Config{}.with_ncpu(1));
  tessera::mpi::Context ctx(rt);
  const tessera::mpi::BlockCyclic1D layout(ctx.size());

  // Every rank registers all 8 blocks; each block belongs to one rank.
  constexpr int kBlocks = 8;
  std::vector<std::vector<double>> blocks(kBlocks, std::vector<double>(1000, 1.0));
  std::vector<tessera::VectorHandle> h;
  for (int i = 0; i < kBlocks; ++i) {
    h.push_back(rt.register_vector(std::span(blocks[i])));
    ctx.register_data(h.back(), layout.owner(i));
  }
  tessera::Codelet smooth("smooth");  // block += 0.5 * neighbour
  smooth.cpu([](tessera::TaskContext& t) {
    auto from = t.vector<double>(0);
    auto to = t.vector<double>(1);
    for (std::size_t k = 0; k < to.size(); ++k) to[k] += 0.5 * from[k];
  });
  // Written once, as for one node: each task runs on the owner of the block it writes, and
  // the neighbour block travels from its owner when it is needed.
  for (int step = 0; step < 3; ++step)
    for (int i = 1; i < kBlocks; ++i) ctx.task(smooth).read(h[i - 1]).read_write(h[i]).submit();
  for (auto& block : h) ctx.fetch(block, 0);  // gather on rank 0
  ctx.wait_all();

  const tessera::mpi::CommStats s = ctx.stats();
  std::printf("rank %d: sent %llu messages, received %llu\n", ctx.rank(),
              static_cast<unsigned long long>(s.messages_sent),
              static_cast<unsigned long long>(s.messages_received));
  if (ctx.rank() == 0) std::printf("block 7, first value: %g\n", blocks[7][0]);
  for (auto& block : h) rt.unregister(block);
  return 0;
}
