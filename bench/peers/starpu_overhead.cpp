// StarPU 1.3's side of the overhead benchmark: the same shapes of empty tasks, with
// StarPU's implicit data dependencies (sequential consistency) on registered variables.

#include <starpu.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "../overhead/peers.hpp"

namespace tessera::bench {
namespace {

void empty_kernel(void** /*buffers*/, void* /*arg*/) {}

double run_starpu(const std::string& sched, int ncpu, const Shape& shape, std::size_t tasks) {
  ::setenv("STARPU_SILENT", "1", 1);
  ::setenv("STARPU_CALIBRATE", "0", 1);
  starpu_conf conf;
  starpu_conf_init(&conf);
  conf.ncpus = ncpu;
  conf.ncuda = 0;
  conf.nopencl = 0;
  conf.sched_policy_name = sched.c_str();
  if (starpu_init(&conf) != 0) throw std::runtime_error("starpu_init failed");

  starpu_codelet cl;
  starpu_codelet_init(&cl);
  cl.cpu_funcs[0] = empty_kernel;
  cl.nbuffers = shape.accesses;
  for (int k = 0; k < shape.accesses; ++k) cl.modes[k] = STARPU_RW;
  cl.name = "empty";

  std::vector<long> cells(static_cast<std::size_t>(shape.handles));
  std::vector<starpu_data_handle_t> handles(cells.size());
  for (std::size_t h = 0; h < cells.size(); ++h) {
    starpu_variable_data_register(&handles[h], STARPU_MAIN_RAM,
                                  reinterpret_cast<uintptr_t>(&cells[h]), sizeof(long));
  }
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < tasks; ++i) {
    starpu_task* task = starpu_task_create();
    task->cl = &cl;
    for (int k = 0; k < shape.accesses; ++k)
      task->handles[k] = handles[static_cast<std::size_t>(shape.handle(i, k))];
    if (starpu_task_submit(task) != 0) throw std::runtime_error("starpu_task_submit failed");
  }
  starpu_task_wait_for_all();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  for (starpu_data_handle_t h : handles) starpu_data_unregister(h);
  starpu_shutdown();
  return seconds;
}

}  // namespace

std::vector<Runner> starpu_runners(int ncpu) {
  std::vector<Runner> runners;
  for (const char* sched : {"eager", "lws"}) {
    runners.push_back({std::string("starpu-") + sched,
                       [sched = std::string(sched), ncpu](const Shape& s, std::size_t n) {
                         return run_starpu(sched, ncpu, s, n);
                       }});
  }
  return runners;
}

}  // namespace tessera::bench
