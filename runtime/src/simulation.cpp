// simulate(): a Dag on a Platform through an Engine driven by the SimExecutor.

#include "tessera/simulation.hpp"

#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "data_state.hpp"
#include "engine.hpp"
#include "lower_bound.hpp"
#include "sim_executor.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"
#include "tessera/progress.hpp"
#include "tessera/task.hpp"

namespace tessera {
namespace {

std::vector<WorkerInfo> platform_workers(const Platform& platform) {
  std::vector<WorkerInfo> workers;
  std::map<std::string, int> per_kind;
  for (const WorkerGroup& g : platform.workers) {
    for (int i = 0; i < g.count; ++i) {
      WorkerInfo w;
      w.id = static_cast<WorkerId>(workers.size());
      w.arch = g.arch;
      w.kind = g.kind;
      w.memory_node = g.memory_node;
      w.name = g.kind + std::to_string(per_kind[g.kind]++);
      workers.push_back(std::move(w));
    }
  }
  // Neighbours: the workers of the same memory node first, then by distance in numbering.
  for (WorkerInfo& w : workers) {
    for (const WorkerInfo& o : workers) {
      if (o.id != w.id) w.neighbors.push_back(o.id);
    }
    std::stable_sort(w.neighbors.begin(), w.neighbors.end(), [&](WorkerId a, WorkerId b) {
      const bool sa = workers[static_cast<std::size_t>(a)].memory_node == w.memory_node;
      const bool sb = workers[static_cast<std::size_t>(b)].memory_node == w.memory_node;
      if (sa != sb) return sa;
      return std::abs(a - w.id) < std::abs(b - w.id);
    });
  }
  return workers;
}

// One codelet per task type and set of architectures that can run it; kernels are empty:
// the simulator never calls them.
class SimCodelets {
 public:
  const Codelet& get(const std::string& type, const std::vector<Arch>& archs) {
    std::string key = type;
    for (Arch a : archs) {
      key.push_back('/');
      key.append(to_string(a));  // (operator+ here trips a GCC 12 -Wrestrict false positive)
    }
    auto it = codelets_.find(key);
    if (it == codelets_.end()) {
      Codelet c(type);
      for (Arch a : archs) c.implement(a, [](TaskContext&) {});
      it = codelets_.emplace(key, std::move(c)).first;
    }
    return it->second;
  }

 private:
  std::map<std::string, Codelet> codelets_;
};

}  // namespace

SimResult simulate(const Dag& dag, const Platform& platform, const SimOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  const detail::SimCosts costs(dag, platform, options);

  detail::EngineSetup setup;
  setup.config = Config{}.without_env();
  setup.config.sched = options.sched;
  setup.config.trace_file = options.trace_file;
  setup.config.ncpu = 0;
  setup.workers = platform_workers(platform);
  setup.seed = options.seed;
  detail::SimExecutor* sim = nullptr;
  setup.make_executor = [&](detail::Engine& engine) {
    auto executor = std::make_unique<detail::SimExecutor>(engine, platform, costs);
    sim = executor.get();
    return executor;
  };
  detail::Engine engine(std::move(setup));
  if (options.progress_seconds > 0) {
    ProgressMeter::Options progress;
    progress.period_seconds = options.progress_seconds;
    progress.label = "tessera sim";
    progress.virtual_clock = true;
    const std::uint64_t total = dag.tasks.size();
    engine.add_observer(std::make_shared<ProgressMeter>(progress, [total] { return total; }));
  }

  std::vector<DataHandle> data;
  data.reserve(dag.data.size());
  for (const DagData& d : dag.data) {
    auto registered = engine.register_virtual({DataKind::blob, 1, d.bytes, 1, d.bytes});
    sim->add_data(registered.get(), d.bytes);
    data.emplace_back(std::move(registered));
  }

  SimCodelets codelets;
  std::vector<TaskHandle> handles;
  handles.reserve(dag.tasks.size());
  // The whole graph is one batch: the policy sees all of it before the first task is pushed.
  engine.pause();
  for (std::size_t t = 0; t < dag.tasks.size(); ++t) {
    const DagTask& task = dag.tasks[t];
    std::vector<Arch> archs;
    for (std::size_t c = 0; c < costs.classes().size(); ++c) {
      const Arch arch = costs.classes()[c].arch;
      if (costs.runs(t, static_cast<int>(c)) &&
          std::find(archs.begin(), archs.end(), arch) == archs.end()) {
        archs.push_back(arch);
      }
    }
    std::sort(archs.begin(), archs.end());
    TaskBuilder builder = detail::Internals::builder(engine, codelets.get(task.type, archs));
    builder.name(task.id).priority(task.priority);
    if (task.worker >= 0) {
      const auto workers = engine.workers();
      if (static_cast<std::size_t>(task.worker) >= workers.size() ||
          !costs.runs(t, costs.worker_class()[static_cast<std::size_t>(task.worker)])) {
        throw InvalidArgument("task '" + task.id + "': worker " + std::to_string(task.worker) +
                              (static_cast<std::size_t>(task.worker) >= workers.size()
                                   ? " does not exist (platform '" + platform.name + "' has " +
                                         std::to_string(workers.size()) + " workers)"
                                   : " (" + workers[static_cast<std::size_t>(task.worker)].name +
                                         ") has no cost for it"));
      }
      builder.on_worker(task.worker);
    }
    for (const DagAccess& a : task.access) builder.access(data[a.data], a.mode);
    for (std::size_t a : task.after) builder.after(handles[a]);
    handles.push_back(builder.submit());
  }
  engine.resume();
  engine.wait_all();

  SimResult result;
  result.dag = dag.name;
  result.platform = platform.name;
  result.sched = options.sched;
  result.seed = options.seed;
  result.noise = options.noise;
  result.tasks = dag.tasks.size();
  result.makespan_us = sim->makespan_us();
  result.bound = detail::compute_lower_bound(dag, costs);
  result.flops = dag.total_flops();
  result.gflops = result.makespan_us > 0 ? result.flops / result.makespan_us / 1e3 : 0.0;
  result.transfers = sim->transfers();
  result.bytes_transferred = sim->bytes_transferred();
  result.workers = sim->reports();
  result.schedule = sim->schedule();
  handles.clear();
  engine.shutdown();
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return result;
}

LowerBound lower_bound(const Dag& dag, const Platform& platform, const SimOptions& options) {
  return detail::compute_lower_bound(dag, detail::SimCosts(dag, platform, options));
}

std::string SimResult::to_json(bool with_schedule) const {
  nlohmann::json j = {{"dag", dag},
                      {"platform", platform},
                      {"sched", sched},
                      {"seed", seed},
                      {"noise", noise},
                      {"tasks", tasks},
                      {"makespan_us", makespan_us},
                      {"lower_bound_us", bound.value_us()},
                      {"critical_path_us", bound.critical_path_us},
                      {"area_bound_us", bound.area_us},
                      {"ratio", bound.value_us() > 0 ? makespan_us / bound.value_us() : 0.0},
                      {"flops", flops},
                      {"gflops", gflops},
                      {"transfers", transfers},
                      {"bytes_transferred", bytes_transferred},
                      {"wall_seconds", wall_seconds}};
  nlohmann::json workers_json = nlohmann::json::array();
  for (const SimWorkerReport& w : workers) {
    workers_json.push_back({{"name", w.name},
                            {"kind", w.kind},
                            {"tasks", w.tasks},
                            {"busy_us", w.busy_us},
                            {"transfer_us", w.transfer_us},
                            {"idle_us", w.idle_us}});
  }
  j["workers"] = workers_json;
  if (with_schedule) {
    nlohmann::json s = nlohmann::json::array();
    for (const SimTaskRecord& r : schedule) {
      s.push_back({{"task", r.task},
                   {"worker", r.worker},
                   {"assigned_us", r.assigned_us},
                   {"start_us", r.start_us},
                   {"end_us", r.end_us}});
    }
    j["schedule"] = s;
  }
  return j.dump();
}

}  // namespace tessera
