#include "sim_executor.hpp"

#include <algorithm>
#include <limits>

#include "data_state.hpp"
#include "engine.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

std::vector<std::uint64_t> capacities(const Platform& p) {
  std::vector<std::uint64_t> out;
  for (const MemoryNodeSpec& n : p.memory_nodes) out.push_back(n.bytes);
  return out;
}

int node_index(const Platform& p, int id) {
  for (std::size_t i = 0; i < p.memory_nodes.size(); ++i) {
    if (p.memory_nodes[i].id == id) return static_cast<int>(i);
  }
  throw InvalidArgument("platform '" + p.name + "': no memory node " + std::to_string(id));
}

}  // namespace

SimExecutor::SimExecutor(Engine& engine, const Platform& platform, const SimCosts& costs)
    : engine_(engine),
      costs_(costs),
      nodes_(platform.memory_nodes.size()),
      coherency_(capacities(platform)) {
  for (const WorkerGroup& g : platform.workers) {
    for (int i = 0; i < g.count; ++i) node_of_.push_back(node_index(platform, g.memory_node));
  }
  busy_.assign(node_of_.size(), false);
  for (const MemoryNodeSpec& n : platform.memory_nodes) platform_node_ids_.push_back(n.id);
  links_.assign(nodes_ * nodes_, Link{});
  for (const LinkSpec& l : platform.links) {
    Link& link = links_[static_cast<std::size_t>(node_index(platform, l.from)) * nodes_ +
                        static_cast<std::size_t>(node_index(platform, l.to))];
    link = {l.bandwidth_MBps, l.latency_us, l.contention, 0.0};
  }
  for (const WorkerInfo& w : engine.workers()) reports_.push_back({w.name, w.kind, 0, 0, 0, 0});
}

void SimExecutor::add_data(const Data* data, std::uint64_t bytes) {
  data_index_.emplace(data, coherency_.add_data(bytes));
  bytes_.push_back(bytes);
  ready_at_.resize(ready_at_.size() + nodes_, 0.0);
}

std::size_t SimExecutor::data_index(const Data* data) const {
  return data_index_.at(data);
}

const SimExecutor::Link* SimExecutor::direct_link(int from, int to) const {
  const Link& l = links_[static_cast<std::size_t>(from) * nodes_ + static_cast<std::size_t>(to)];
  return l.bandwidth_MBps > 0 ? &l : nullptr;
}

// Estimated arrival on `to` of a copy from `from`, starting now; through the home node when
// the two are not linked directly.
double SimExecutor::arrival(std::size_t data, int from, int to, bool with_queue) const {
  const double bytes = static_cast<double>(bytes_[data]);
  auto hop = [&](int a, int b, double earliest) {
    const Link* l = direct_link(a, b);
    if (l == nullptr) return std::numeric_limits<double>::infinity();
    const double begin = std::max(earliest, with_queue && l->contention ? l->free_at : 0.0);
    return begin + l->latency_us + bytes / l->bandwidth_MBps;
  };
  const double ready = std::max(now_, ready_at_[data * nodes_ + static_cast<std::size_t>(from)]);
  if (direct_link(from, to) != nullptr) return hop(from, to, ready);
  return hop(Coherency::kHome, to, hop(from, Coherency::kHome, ready));
}

int SimExecutor::choose_source(std::size_t data, int to, const std::vector<int>& valid) const {
  int best = valid.front();
  double best_time = std::numeric_limits<double>::infinity();
  for (int from : valid) {
    const double t = arrival(data, from, to, true);
    if (t < best_time) {
      best_time = t;
      best = from;
    }
  }
  return best;
}

double SimExecutor::transfer(std::size_t data, int from, int to, double earliest) {
  const Link* direct = direct_link(from, to);
  if (direct == nullptr) {
    // Route through host memory (staging only: the protocol decides what is valid there).
    const double at_home = transfer(data, from, Coherency::kHome, earliest);
    return transfer(data, Coherency::kHome, to, at_home);
  }
  Link& l = links_[static_cast<std::size_t>(from) * nodes_ + static_cast<std::size_t>(to)];
  const double bytes = static_cast<double>(bytes_[data]);
  const double begin =
      std::max({earliest, ready_at_[data * nodes_ + static_cast<std::size_t>(from)],
                l.contention ? l.free_at : 0.0});
  const double end = begin + l.latency_us + bytes / l.bandwidth_MBps;
  if (l.contention) l.free_at = end;
  ++transfers_;
  bytes_transferred_ += bytes;
  return end;
}

double SimExecutor::acquire(Task& task, std::size_t data, int node, Access mode, bool pin) {
  actions_.clear();
  coherency_.acquire(
      data, node, mode, actions_,
      [this](std::size_t d, int to, const std::vector<int>& valid) {
        return choose_source(d, to, valid);
      },
      pin);
  if (pin) pins_[task.id].push_back({data, node});
  double ready = now_;
  for (const Coherency::Action& a : actions_) {
    switch (a.kind) {
      case Coherency::ActionKind::writeback:
        ready_at_[a.data * nodes_] = transfer(a.data, a.from, Coherency::kHome, now_);
        break;
      case Coherency::ActionKind::copy:
        ready_at_[a.data * nodes_ + static_cast<std::size_t>(node)] =
            transfer(a.data, a.from, node, now_);
        break;
      case Coherency::ActionKind::allocate:
      case Coherency::ActionKind::evict:
        break;  // capacity only: virtual data has no storage
    }
  }
  if (reads(mode))
    ready = std::max(ready, ready_at_[data * nodes_ + static_cast<std::size_t>(node)]);
  return ready;
}

void SimExecutor::prefetch(Task& task, WorkerId worker) {
  for (std::size_t i = 0; i < task.accesses.size(); ++i) prefetch_access(task, i, worker);
}

void SimExecutor::prefetch_access(Task& task, std::size_t access, WorkerId worker) {
  // A hint: nothing is pinned, and a copy that would not fit is simply not made.
  if (access >= task.accesses.size()) return;
  const TaskAccess& a = task.accesses[access];
  if (is_scratch(a.mode) || !reads(a.mode)) return;
  const int node = node_of(worker);
  const std::size_t d = data_index(a.data.get());
  if (coherency_.valid(d, node) || !coherency_.can_hold(d, node)) return;
  acquire(task, d, node, Access::R, false);
}

double SimExecutor::expected_transfer_us(const Task& task, const WorkerInfo& worker) const {
  const int node = node_of(worker.id);
  double total = 0;
  for (const TaskAccess& a : task.accesses) {
    if (is_scratch(a.mode) || !reads(a.mode)) continue;
    const std::size_t d = data_index(a.data.get());
    if (coherency_.valid(d, node)) {
      total += std::max(0.0, ready_at_[d * nodes_ + static_cast<std::size_t>(node)] - now_);
      continue;
    }
    double best = std::numeric_limits<double>::infinity();
    for (int from : coherency_.valid_nodes(d))
      best = std::min(best, arrival(d, from, node, false) - now_);
    total += best;
  }
  return total;
}

std::optional<double> SimExecutor::expected_length_us(const Task& task, WorkerId worker) const {
  const int cls = costs_.worker_class()[static_cast<std::size_t>(worker)];
  if (!costs_.runs(task.id, cls)) return std::nullopt;
  return costs_.mean_us(task.id, cls);
}

// A platform's memory node id as an index into its nodes (the count of nodes if unknown).
int SimExecutor::dense_node(int id) const {
  const auto it = std::find(platform_node_ids_.begin(), platform_node_ids_.end(), id);
  return static_cast<int>(it - platform_node_ids_.begin());
}

LinkModel SimExecutor::link(int from_node, int to_node) const {
  const int from = dense_node(from_node), to = dense_node(to_node);
  if (from == to || from >= static_cast<int>(nodes_) || to >= static_cast<int>(nodes_)) return {};
  auto hop = [&](int a, int b) -> LinkModel {
    const Link* l = direct_link(a, b);
    if (l == nullptr) {
      constexpr double kNever = std::numeric_limits<double>::infinity();
      return {kNever, kNever, false};
    }
    return {l->latency_us, 1.0 / l->bandwidth_MBps, l->contention};
  };
  if (direct_link(from, to) != nullptr) return hop(from, to);
  return chain(hop(from, Coherency::kHome), hop(Coherency::kHome, to));
}

bool SimExecutor::can_execute(const Task& task, WorkerId worker) const {
  return costs_.runs(task.id, costs_.worker_class()[static_cast<std::size_t>(worker)]);
}

void SimExecutor::start(Task* task, WorkerId worker) {
  if (!engine_.begin_task(task, worker)) return;  // parked behind a commuting task
  const int node = node_of(worker);
  double data_ready = now_;
  for (const TaskAccess& a : task->accesses) {
    if (is_scratch(a.mode)) continue;
    data_ready = std::max(data_ready, acquire(*task, data_index(a.data.get()), node, a.mode, true));
  }
  const int cls = costs_.worker_class()[static_cast<std::size_t>(worker)];
  task->start_us = data_ready;
  task->end_us = data_ready + costs_.actual_us(task->id, cls);
  engine_.notify_start(*task, worker);
  // What the task writes exists only once it ends: no copy of it may arrive earlier.
  for (const TaskAccess& a : task->accesses) {
    if (writes(a.mode) && !is_scratch(a.mode)) {
      ready_at_[data_index(a.data.get()) * nodes_ + static_cast<std::size_t>(node)] = task->end_us;
    }
  }
  busy_[static_cast<std::size_t>(worker)] = true;
  SimWorkerReport& r = reports_[static_cast<std::size_t>(worker)];
  r.transfer_us += data_ready - now_;
  r.busy_us += task->end_us - task->start_us;
  ++r.tasks;
  schedule_.push_back(
      {static_cast<std::size_t>(task->id), worker, task->start_us, task->end_us, now_});
  events_.push({task->end_us, seq_++, task, worker});
}

// Sets the worker on whose behalf the simulator calls into the engine and policy, for the
// scope of one call (and back to none when it throws).
class SimExecutor::ActingAs {
 public:
  ActingAs(WorkerId& current, WorkerId worker) : current_(current) { current_ = worker; }
  ~ActingAs() { current_ = kAnyWorker; }
  ActingAs(const ActingAs&) = delete;
  ActingAs& operator=(const ActingAs&) = delete;

 private:
  WorkerId& current_;
};

void SimExecutor::dispatch_idle_workers() {
  Policy& policy = engine_.policy();
  bool progress = true;
  while (progress) {
    progress = false;
    for (std::size_t w = 0; w < busy_.size(); ++w) {
      if (busy_[w]) continue;
      const ActingAs acting(current_, static_cast<WorkerId>(w));
      if (TaskView task = policy.pop(current_)) {
        start(task.get(), current_);
        progress = true;
      }
    }
  }
}

void SimExecutor::finish(const Event& event) {
  busy_[static_cast<std::size_t>(event.worker)] = false;
  makespan_ = std::max(makespan_, event.time);
  const std::uint64_t id = event.task->id;
  {
    const ActingAs acting(current_, event.worker);
    engine_.end_task(event.task, event.worker);  // may push successors, as this worker
  }
  auto pinned = pins_.find(id);
  if (pinned != pins_.end()) {
    for (const Pin& p : pinned->second) coherency_.unpin(p.data, p.node);
    pins_.erase(pinned);
  }
}

void SimExecutor::drain(std::atomic<std::int32_t>& in_flight, WakeupPoint& /*drained*/) {
  // One thread runs the whole simulation: nothing to sleep for.
  if (stalled_) return;  // reported once; shutdown must not report it again
  while (in_flight.load(std::memory_order_relaxed) > 0) {
    dispatch_idle_workers();
    if (events_.empty()) {
      if (in_flight.load(std::memory_order_relaxed) == 0) break;
      stalled_ = true;
      throw Error("simulation stalled at " + std::to_string(now_) +
                  " us: " + std::to_string(in_flight.load(std::memory_order_relaxed)) +
                  " task(s) never ran (policy '" + std::string(engine_.policy().name()) +
                  "' gave no worker a task it could run)");
    }
    // Every completion at this instant first, then the idle workers choose.
    now_ = events_.top().time;
    while (!events_.empty() && events_.top().time == now_) {
      const Event event = events_.top();
      events_.pop();
      finish(event);
    }
  }
  for (SimWorkerReport& r : reports_)
    r.idle_us = std::max(0.0, makespan_ - r.busy_us - r.transfer_us);
}

}  // namespace tessera::detail
