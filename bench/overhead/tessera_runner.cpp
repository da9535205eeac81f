// Tessera's side of the overhead benchmark.

#include <chrono>
#include <memory>
#include <vector>

#include <tessera/tessera.hpp>

#include "peers.hpp"

namespace tessera::bench {
namespace {

double run_tessera(const std::string& sched, int ncpu, const Shape& shape, std::size_t tasks) {
  Runtime rt(Config{}.with_sched(sched).with_ncpu(ncpu).without_env());
  std::vector<long> cells(static_cast<std::size_t>(shape.handles));
  std::vector<BlobHandle> handles;
  for (long& c : cells) handles.push_back(rt.register_blob(&c, sizeof c));
  Codelet empty("empty");
  empty.cpu([](TaskContext&) {});
  rt.wait_all();
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < tasks; ++i) {
    TaskBuilder b = rt.task(empty);
    for (int k = 0; k < shape.accesses; ++k)
      b.read_write(handles[static_cast<std::size_t>(shape.handle(i, k))]);
    b.submit();
  }
  rt.wait_all();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<Runner> tessera_runners(int ncpu) {
  std::vector<Runner> runners;
  for (const char* sched : {"eager", "lws", "ws", "prio"}) {
    runners.push_back({std::string("tessera-") + sched,
                       [sched = std::string(sched), ncpu](const Shape& s, std::size_t n) {
                         return run_tessera(sched, ncpu, s, n);
                       }});
  }
  return runners;
}

}  // namespace tessera::bench
