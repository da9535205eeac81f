#pragma once
// Runtime configuration. Environment variables override the fields (as in StarPU) unless
// `use_env` is false:
//   TESSERA_NCPU   number of CPU workers (default: one per core not driving a GPU)
//   TESSERA_NCUDA  number of CUDA workers, one per GPU (default: every GPU)
//   TESSERA_CUDA_MEMORY  bytes of each GPU's memory Tessera may use (default: most of it)
//   TESSERA_MAX_SUBMITTED  block submit() while this many tasks are unfinished (0: never)
//   TESSERA_MIN_SUBMITTED  ... until no more than this many are (default: 90% of the max)
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
  std::string sched = "lws";  // see docs/policies.md
  std::string trace_file;     // empty: no trace
  std::string dot_file;       // empty: no DOT export
  bool bind_workers = true;
  bool use_env = true;
  int spin_us = 50;  // how long an idle worker polls before it sleeps
  // Throttling (StarPU's STARPU_LIMIT_MAX_SUBMITTED_TASKS / MIN): a submit() that finds
  // max_submitted tasks unfinished waits until at most min_submitted are (-1: 90% of the
  // max), so that a producer of millions of tasks runs in bounded memory. 0: no bound.
  // Submissions from inside a task, and while the runtime is paused, never wait.
  long long max_submitted = 0;
  long long min_submitted = -1;
  // > 0: a progress line on stderr every so many seconds (tessera/progress.hpp).
  double progress_seconds = 0.0;

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
  Config& with_max_submitted(long long max, long long min = -1) {
    max_submitted = max;
    min_submitted = min;
    return *this;
  }
  Config& with_progress(double seconds) {
    progress_seconds = seconds;
    return *this;
  }
  Config& without_env() {
    use_env = false;
    return *this;
  }

  // This configuration with the TESSERA_* environment variables applied (if use_env).
  // Throws InvalidArgument naming the variable or field when a value is malformed.
  Config resolved() const;
};

}  // namespace tessera
