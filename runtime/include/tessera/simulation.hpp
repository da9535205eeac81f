#pragma once
// Simulation: runs a Dag on a Platform in virtual time, through the same scheduling
// policies as real runs (a policy cannot tell). Task durations come from the DAG's or the
// platform's costs (means, or sampled around them with `noise`); data moves over the
// platform's links with their bandwidth and latency, one transfer at a time per link with
// contention. Deterministic for a given seed.

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/dag.hpp"
#include "tessera/platform.hpp"

namespace tessera {

struct SimOptions {
  std::string sched = "dmda";  // any policy spec, as TESSERA_SCHED
  std::uint64_t seed = 1;
  bool noise =
      false;  // sample durations from N(mean, stddev), truncated to [0.05 mean, mean + 4 sd]
  double default_noise = 0.05;    // relative stddev for costs given without one (DAG cost_us)
  std::string trace_file;         // Chrome/Perfetto trace of the simulated schedule
  double progress_seconds = 0.0;  // > 0: a progress line on stderr every so many seconds

  SimOptions& with_sched(std::string name) {
    sched = std::move(name);
    return *this;
  }
  SimOptions& with_seed(std::uint64_t value) {
    seed = value;
    return *this;
  }
  SimOptions& with_noise(bool on = true) {
    noise = on;
    return *this;
  }
  SimOptions& with_trace(std::string path) {
    trace_file = std::move(path);
    return *this;
  }
};

// The lower bound of a schedule: no simulated makespan can be below it.
struct LowerBound {
  double critical_path_us = 0.0;  // longest dependency chain, each task at its fastest
  double area_us = 0.0;           // linear program: work spread ideally over the worker classes
  double value_us() const { return critical_path_us > area_us ? critical_path_us : area_us; }
};

struct SimTaskRecord {
  std::size_t task = 0;  // index in the Dag
  int worker = 0;
  double start_us = 0.0;  // kernel start (after its data arrived)
  double end_us = 0.0;
  double assigned_us = 0.0;  // when the worker took it
};

struct SimWorkerReport {
  std::string name;
  std::string kind;
  std::uint64_t tasks = 0;
  double busy_us = 0.0;      // running kernels
  double transfer_us = 0.0;  // holding a task while its data arrived
  double idle_us = 0.0;      // the rest of the makespan
};

struct SimResult {
  std::string dag;
  std::string platform;
  std::string sched;
  std::uint64_t seed = 0;
  bool noise = false;
  std::size_t tasks = 0;
  double makespan_us = 0.0;
  LowerBound bound;
  double flops = 0.0;
  double gflops = 0.0;  // flops / makespan, 0 when flops are unknown
  std::uint64_t transfers = 0;
  double bytes_transferred = 0.0;
  std::vector<SimWorkerReport> workers;
  std::vector<SimTaskRecord> schedule;  // in start order
  double wall_seconds = 0.0;            // how long the simulation itself took

  // One JSON object: makespan_us, lower_bound_us, ratio, tasks, sched, platform, ...
  std::string to_json(bool with_schedule = false) const;
};

// Throws InvalidArgument when a task has no cost on any worker of the platform (naming it),
// and Error if the policy never runs some task.
SimResult simulate(const Dag& dag, const Platform& platform, const SimOptions& options = {});

// The bound for the durations the simulation with `options` would use (sampled ones when
// options.noise is set).
LowerBound lower_bound(const Dag& dag, const Platform& platform, const SimOptions& options = {});

}  // namespace tessera
