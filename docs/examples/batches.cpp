// docs/api.md, "Batches: pause and resume" and "Where a task may run": a graph submitted as
// one batch, so that a planning policy sees all of it before the first task starts; one
// task pinned to a worker. Built and run by the test suite (ctest -L docs).

#include <cstdio>
#include <vector>

#include <tessera/tessera.hpp>

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(2).with_sched("inspirit")};
  std::vector<double> x(8, 1.0);
  std::vector<tessera::VectorHandle> cells;
  for (double& v : x) cells.push_back(rt.register_vector(std::span(&v, 1)));

  tessera::Codelet twice("twice");
  twice.cpu([](tessera::TaskContext& ctx) { ctx.vector<double>(0)[0] *= 2.0; });
  tessera::Codelet where("where");
  where.cpu([](tessera::TaskContext& ctx) {
    std::printf("the pinned task ran on worker %d\n", ctx.worker());
  });

  rt.pause();  // nothing starts: the policy gets the whole batch at resume()
  for (int round = 0; round < 3; ++round) {
    for (auto& c : cells) rt.submit(twice, {{c, tessera::RW}});
  }
  rt.task(where).on_worker(1).submit();  // only worker 1 may run it
  rt.resume();
  rt.wait_all();

  for (auto& c : cells) rt.unregister(c);
  std::printf("x[0] = %g after 3 rounds\n", x[0]);
  return x[0] == 8.0 ? 0 : 1;
}
