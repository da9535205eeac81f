#include "common/host_problem.hpp"

#include <algorithm>

namespace tessera::sched::planning {

bool produces(TaskView writer, const AccessView& input) {
  if (!reads(input.mode) || is_scratch(input.mode)) return false;
  for (std::size_t j = 0; j < writer.num_accesses(); ++j) {
    const AccessView out = writer.access(j);
    if (out.data_id == input.data_id && writes(out.mode) && !is_scratch(out.mode)) return true;
  }
  return false;
}

double shared_bytes(TaskView from, TaskView to) {
  double bytes = 0;
  for (std::size_t i = 0; i < to.num_accesses(); ++i) {
    const AccessView in = to.access(i);
    if (produces(from, in)) bytes += static_cast<double>(in.layout.bytes());
  }
  return bytes;
}

std::vector<Input> inputs_of(const KnownTask& t, std::span<const KnownTask> tasks) {
  std::vector<Input> inputs;
  for (std::size_t i = 0; i < t.task.num_accesses(); ++i) {
    const AccessView in = t.task.access(i);
    if (!reads(in.mode) || is_scratch(in.mode)) continue;
    Input input{i, kInitial};
    for (std::size_t pred : t.preds) {  // the latest writer among the predecessors
      if (produces(tasks[pred].task, in) && (input.producer == kInitial || pred > input.producer))
        input.producer = pred;
    }
    inputs.push_back(input);
  }
  return inputs;
}

namespace {

double unproduced_bytes(const KnownTask& t, std::span<const Input> inputs) {
  double bytes = 0;
  for (const Input& in : inputs) {
    if (in.producer == kInitial)
      bytes += static_cast<double>(t.task.access(in.access).layout.bytes());
  }
  return bytes;
}

}  // namespace

Problem machine_problem(const PolicyHost& host) {
  const auto workers = host.workers();
  Problem p;
  // The host's memory node of each transfer-table index. Registered data start in main
  // memory, node 0: it comes first, the home of the graph's initial data.
  std::vector<int> node_ids{0};
  for (const WorkerInfo& w : workers) {
    const auto it = std::find(node_ids.begin(), node_ids.end(), w.memory_node);
    p.worker_node.push_back(static_cast<std::size_t>(it - node_ids.begin()));
    if (it == node_ids.end()) node_ids.push_back(w.memory_node);
  }
  p.nodes = node_ids.size();
  for (int a : node_ids) {
    for (int b : node_ids) {
      const LinkModel link = host.link(a, b);
      p.latency_us.push_back(link.latency_us);
      p.us_per_byte.push_back(link.us_per_byte);
      // Copies queue on their links if any link between the workers' nodes is shared.
      p.link_contention = p.link_contention || link.shared;
    }
  }
  p.home = 0;
  return p;
}

std::size_t append_task(const PolicyHost& host, Problem& p, std::span<const KnownTask> tasks,
                        std::size_t index, std::vector<Input>* inputs) {
  const auto workers = host.workers();
  const KnownTask& t = tasks[index];
  std::size_t missing = 0;
  for (std::size_t k = 0; k < workers.size(); ++k) {
    const WorkerId w = workers[k].id;
    double cost = kCannotRun;
    if ((t.pinned == kAnyWorker || t.pinned == w) && host.can_execute(t.task, w)) {
      const std::optional<double> length = host.expected_length_us(t.task, w);
      if (!length) ++missing;
      cost = length.value_or(0.0);
    }
    p.cost.push_back(cost);
  }
  p.preds.emplace_back();
  p.succs.emplace_back();
  for (std::size_t pred : t.preds) {
    const double bytes = shared_bytes(tasks[pred].task, t.task);
    p.preds[index].push_back({pred, bytes});
    p.succs[pred].push_back({index, bytes});
  }
  std::vector<Input> reads = inputs_of(t, tasks);
  p.initial_bytes.push_back(unproduced_bytes(t, reads));
  if (inputs != nullptr) *inputs = std::move(reads);
  return missing;
}

Problem problem_from(const PolicyHost& host, std::span<const KnownTask> tasks,
                     std::size_t* uncalibrated, std::vector<std::vector<Input>>* inputs) {
  Problem p = machine_problem(host);
  const std::size_t count = tasks.size();
  p.cost.reserve(count * p.workers());
  p.preds.reserve(count);
  p.succs.reserve(count);
  p.initial_bytes.reserve(count);
  if (inputs != nullptr) inputs->assign(count, {});
  std::size_t missing = 0;
  for (std::size_t i = 0; i < count; ++i)
    missing += append_task(host, p, tasks, i, inputs != nullptr ? &(*inputs)[i] : nullptr);
  if (uncalibrated != nullptr) *uncalibrated = missing;
  return p;
}

}  // namespace tessera::sched::planning
