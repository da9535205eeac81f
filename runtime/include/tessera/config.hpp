#pragma once
// Runtime configuration. Environment variables override the fields (as in StarPU) unless
// `use_env` is false:
//   TESSERA_NCPU   number of CPU workers (default: one per core not driving a GPU)
//   TESSERA_NCUDA  number of CUDA workers, one per GPU (default: every GPU)
//   TESSERA_CUDA_MEMORY  bytes of each GPU's memory Tessera may use (default: most of it)
//   TESSERA_MOCK_CUDA    N "CUDA" workers on mock devices made of host memory, for tests
//   TESSERA_SCHED  policy name, "name:key=value,...", or the path of a policy .so
//   TESSERA_TRACE  write a Chrome/Perfetto trace of every task to this file at shutdown
//   TESSERA_DOT    write the submitted task graph as Graphviz DOT to this file at shutdown
//   TESSERA_BIND   0 to leave CPU workers unbound (default 1: one core each, via hwloc)

#include <string>

namespace tessera {

struct Config {
  int ncpu = -1;              // -1: one CPU worker per core not driving a GPU
  int ncuda = -1;             // -1: one CUDA worker per GPU (none without CUDA or GPU)
  long long cuda_memory = 0;  // bytes per GPU; 0: most of its free memory
  int mock_cuda = 0;          // CUDA workers on mock devices (host memory): tests only
  std::string sched = "lws";  // see docs/policies.md
  std::string trace_file;     // empty: no trace
  std::string dot_file;       // empty: no DOT export
  bool bind_workers = true;
  bool use_env = true;
  int spin_us = 50;  // how long an idle worker polls before it sleeps

  Config& with_ncpu(int n) {
    ncpu = n;
    return *this;
  }
  Config& with_ncuda(int n) {
    ncuda = n;
    return *this;
  }
  Config& with_sched(std::string name) {
    sched = std::move(name);
    return *this;
  }
  Config& with_trace(std::string path) {
    trace_file = std::move(path);
    return *this;
  }
  Config& with_dot(std::string path) {
    dot_file = std::move(path);
    return *this;
  }
  Config& without_env() {
    use_env = false;
    return *this;
  }

  // This configuration with the TESSERA_* environment variables applied (if use_env).
  // Throws InvalidArgument naming the variable when a value is malformed.
  Config resolved() const;
};

}  // namespace tessera
