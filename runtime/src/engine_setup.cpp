// Engine::threaded: the machine of a real runtime. CUDA workers first claim a core each (as
// in StarPU, a core driving a GPU is no CPU worker), then CPU workers take the other cores;
// every worker gets its neighbours by shared cache.

#include <algorithm>
#include <cstdlib>
#include <string>

#include "cpu_workers.hpp"
#include "engine.hpp"
#include "tessera/error.hpp"
#include "topology.hpp"

namespace tessera::detail {

EngineSetup Engine::threaded(Config requested, int mock_cuda) {
  EngineSetup setup;
  setup.config = requested.resolved();
  Config& config = setup.config;
  auto topology = std::make_shared<const CpuTopology>();
  const int ncores = topology->num_cores();

  // GPUs first: a core drives each of them, as in StarPU, and is no CPU worker.
  const int devices = cuda_device_count();
  if (config.ncuda > devices) {
    throw InvalidArgument(
        "Config::ncuda = " + std::to_string(config.ncuda) + " CUDA workers requested, but " +
        (cuda_built() ? "this machine has " + std::to_string(devices) + " CUDA device(s)"
                      : std::string("Tessera was built without CUDA")));
  }
  const int ncuda = config.ncuda < 0 ? devices : config.ncuda;
  config.ncuda = ncuda;
  if (mock_cuda < 0)
    throw InvalidArgument("mock_cuda = " + std::to_string(mock_cuda) + " is negative");
  if (config.use_env) {
    if (const char* v = std::getenv("TESSERA_MOCK_CUDA"); v != nullptr && *v != '\0') {
      char* end = nullptr;
      const long n = std::strtol(v, &end, 10);
      if (*end != '\0' || n < 0 || n > 64)
        throw InvalidArgument(std::string("TESSERA_MOCK_CUDA='") + v +
                              "' is not a count in [0, 64]");
      mock_cuda += static_cast<int>(n);
    }
  }
  const int accelerators = ncuda + mock_cuda;
  const int ncpu = config.ncpu < 0 ? std::max(1, ncores - accelerators) : config.ncpu;
  if (ncpu + accelerators == 0) {
    throw InvalidArgument(
        "no worker to run tasks: ncpu is 0 and this machine has no other kind of worker");
  }
  config.ncpu = ncpu;
  setup.memory_nodes.emplace_back();  // host memory
  for (int i = 0; i < ncpu + accelerators; ++i) {
    WorkerInfo w;
    w.id = i;
    const bool cpu = i < ncpu;
    const bool mock = i >= ncpu + ncuda;
    w.arch = cpu ? Arch::cpu : Arch::cuda;
    w.kind = std::string(to_string(w.arch));
    w.core = config.bind_workers ? topology->os_index(i % ncores) : -1;
    if (cpu) {
      w.memory_node = 0;
      w.name = "cpu" + std::to_string(i);
      setup.cuda_device.push_back(-1);
    } else {
      const int device = mock ? i - ncpu - ncuda : i - ncpu;
      w.memory_node = static_cast<int>(setup.memory_nodes.size());
      w.name = (mock ? "mockcuda" : "cuda") + std::to_string(device);
      setup.memory_nodes.push_back(
          mock ? make_mock_device_node(w.name, config.cuda_memory > 0
                                                   ? static_cast<std::uint64_t>(config.cuda_memory)
                                                   : (1ull << 30))
               : make_cuda_node(device, static_cast<std::uint64_t>(config.cuda_memory)));
      setup.cuda_device.push_back(mock ? -1 : device);
    }
    setup.workers.push_back(std::move(w));
  }
  // Neighbours: most shared cache first, then nearest index.
  for (WorkerInfo& w : setup.workers) {
    for (const WorkerInfo& other : setup.workers) {
      if (other.id != w.id) w.neighbors.push_back(other.id);
    }
    std::stable_sort(w.neighbors.begin(), w.neighbors.end(), [&](WorkerId a, WorkerId b) {
      int da = topology->shared_depth(w.id % ncores, a % ncores);
      int db = topology->shared_depth(w.id % ncores, b % ncores);
      if (da != db) return da > db;
      return std::abs(a - w.id) < std::abs(b - w.id);
    });
  }
  setup.make_executor = [topology](Engine& engine) -> std::unique_ptr<Executor> {
    return std::make_unique<CpuWorkers>(engine, engine.policy(), engine.workers(), topology,
                                        engine.config());
  };
  return setup;
}

}  // namespace tessera::detail
