#include "inspirit/plan_follower.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "common/list_planner.hpp"

namespace tessera::inspirit {

void PlanFollower::batch_begin() {
  if (!options_.enabled) return;
  std::lock_guard lock(mutex_);
  if (state_ == State::collecting) return;
  if (state_ == State::following && done_ < nodes_.size()) return;  // still running
  clear();
  state_ = State::collecting;
}

void PlanFollower::batch_submitted(PolicyHost& host) {
  if (state_.load(std::memory_order_acquire) != State::collecting) return;
  std::lock_guard lock(mutex_);
  if (state_ == State::collecting) make_plan(host);
}

void PlanFollower::submitted(TaskView task) {
  if (state_.load(std::memory_order_acquire) != State::collecting) return;  // never again
  if (task.is_external()) return;  // no worker runs it: it has no place in the plan
  std::lock_guard lock(mutex_);
  if (state_ != State::collecting) return;
  planning::KnownTask known{task, {}, kAnyWorker};
  task.for_each_predecessor([&](TaskView p) {
    const auto it = index_.find(p.id());
    if (it != index_.end()) known.preds.push_back(it->second);
  });
  index_.emplace(task.id(), nodes_.size());
  known_.push_back(std::move(known));
  Node node;
  node.task = task;
  nodes_.push_back(std::move(node));
}

PlanFollower::Node* PlanFollower::find(TaskView task) {
  const auto it = index_.find(task.id());
  return it == index_.end() ? nullptr : &nodes_[it->second];
}

bool PlanFollower::in_window(const Node& node) const {
  return node.position < next_[node.worker] + options_.lookahead;
}

void PlanFollower::prefetch_inputs(PolicyHost& host, const Node& node, std::size_t producer) {
  const WorkerId worker = planning::worker_id(host, node.worker);
  for (const planning::Input& in : node.inputs) {
    const bool exists = in.producer == planning::kInitial || nodes_[in.producer].done;
    if (exists && (producer == planning::kInitial || in.producer == producer))
      host.prefetch_access(node.task, in.access, worker);
  }
}

std::optional<WorkerId> PlanFollower::ready(PolicyHost& host, TaskView task) {
  if (state_.load(std::memory_order_acquire) == State::abandoned) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (state_ == State::abandoned) return std::nullopt;
  Node* node = find(task);
  if (node == nullptr) return std::nullopt;
  if (node->taken && !node->done) {
    // Handed out already and pushed again: it was parked behind a task commuting on the
    // same data. Its worker has moved past it in the plan: it goes first now.
    node->taken = false;
    returned_[node->worker].push_back(static_cast<std::size_t>(node - nodes_.data()));
    return planning::worker_id(host, node->worker);
  }
  node->ready = true;
  if (state_ == State::collecting) return kAnyWorker;
  if (in_window(*node)) prefetch_inputs(host, *node);
  return planning::worker_id(host, node->worker);
}

TaskView PlanFollower::pop(PolicyHost& host, WorkerId worker) {
  if (state_.load(std::memory_order_acquire) == State::abandoned) return {};
  std::lock_guard lock(mutex_);
  if (state_ == State::collecting) make_plan(host);
  if (state_ != State::following) return {};
  const auto workers = host.workers();
  std::size_t w = 0;
  while (w < workers.size() && workers[w].id != worker) ++w;
  if (w == workers.size()) return {};
  if (!returned_[w].empty()) {
    Node& back = nodes_[returned_[w].front()];
    returned_[w].erase(returned_[w].begin());
    back.taken = true;
    return back.task;
  }
  const auto& seq = sequence_[w];
  std::size_t& next = next_[w];
  while (next < seq.size() && nodes_[seq[next]].done) ++next;
  if (next >= seq.size()) return {};
  Node& node = nodes_[seq[next]];
  if (!node.ready) return {};  // the plan says: wait for it
  ++next;
  node.taken = true;
  // The window moved on by one task: that task's existing inputs may start moving.
  const std::size_t entering = next + options_.lookahead - 1;
  if (entering < seq.size()) prefetch_inputs(host, nodes_[seq[entering]]);
  return node.task;
}

void PlanFollower::make_plan(PolicyHost& host) {
  if (nodes_.empty()) {
    abandon();
    return;
  }
  std::size_t uncalibrated = 0;
  std::vector<std::vector<planning::Input>> inputs;
  const planning::Problem problem = planning::problem_from(host, known_, &uncalibrated, &inputs);
  if (uncalibrated > 0) {
    // A plan from missing models would be fiction: the dynamic scheduler calibrates them.
    abandon();
    return;
  }
  planning::SearchOptions search;
  search.rounds = options_.rounds;
  search.restarts = options_.restarts;
  search.seed = host.seed();
  search.budget = options_.budget;
  const double planning_began = host.now_us();
  search.stop = [&, share = options_.time_share](double best_makespan) {
    return host.now_us() - planning_began > share * best_makespan;
  };
  search.priorities.reserve(nodes_.size());
  bool prioritized = false;
  for (const Node& n : nodes_) {
    search.priorities.push_back(n.task.priority());
    prioritized = prioritized || n.task.priority() != 0;
  }
  if (!prioritized) search.priorities.clear();
  planning::Schedule plan;
  try {
    plan = planning::search(problem, search);
  } catch (const std::invalid_argument&) {
    // A graph the planner cannot place (a task no worker can run, for one): the dynamic
    // stage schedules it, and reports what it cannot run by name.
    abandon();
    return;
  }

  const double now = host.now_us();
  sequence_.assign(host.workers().size(), {});
  next_.assign(host.workers().size(), 0);
  returned_.assign(host.workers().size(), {});
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    nodes_[i].worker = plan.worker[i];
    nodes_[i].end_us = now + plan.end[i];
    nodes_[i].inputs = std::move(inputs[i]);
    sequence_[plan.worker[i]].push_back(i);
  }
  for (auto& seq : sequence_) {
    std::stable_sort(seq.begin(), seq.end(),
                     [&](std::size_t a, std::size_t b) { return plan.start[a] < plan.start[b]; });
    for (std::size_t k = 0; k < seq.size(); ++k) nodes_[seq[k]].position = k;
  }
  makespan_us_ = plan.makespan;
  done_ = static_cast<std::size_t>(
      std::count_if(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.done; }));
  state_ = State::following;
  // The first tasks of each worker (ready ones among them) may start moving their inputs.
  for (const auto& seq : sequence_) {
    for (std::size_t k = 0; k < seq.size() && k < options_.lookahead; ++k)
      prefetch_inputs(host, nodes_[seq[k]]);
  }
}

void PlanFollower::finished(PolicyHost& host, TaskView task) {
  if (state_.load(std::memory_order_acquire) == State::abandoned) return;
  std::lock_guard lock(mutex_);
  if (state_ != State::following) return;
  Node* node = find(task);
  if (node == nullptr) return;
  node->done = true;
  if (++done_ == nodes_.size()) {
    // Followed to its end: nothing of it is needed any more.
    clear();
    state_ = State::abandoned;
    return;
  }
  if (host.now_us() - node->end_us > options_.tolerance * makespan_us_) {
    abandon();
    return;
  }
  // Its outputs may move to the successors planned soon on their workers.
  const std::size_t self = static_cast<std::size_t>(node - nodes_.data());
  task.for_each_successor([&](TaskView succ_view) {
    const Node* succ = find(succ_view);
    if (succ != nullptr && !succ->done && in_window(*succ)) prefetch_inputs(host, *succ, self);
  });
}

void PlanFollower::abandon() {
  state_ = State::abandoned;
  for (const Node& n : nodes_) {
    if (n.ready && !n.taken && !n.done) handover_.push_back(n.task);
  }
  handover_pending_.store(!handover_.empty(), std::memory_order_release);
  clear();
}

void PlanFollower::clear() {
  // Swapped with empty ones: clear() alone would keep the capacity of a large plan.
  std::vector<Node>().swap(nodes_);
  std::vector<planning::KnownTask>().swap(known_);
  std::unordered_map<std::uint64_t, std::size_t>().swap(index_);
  std::vector<std::vector<std::size_t>>().swap(sequence_);
  next_.clear();
  returned_.clear();
  done_ = 0;
}

std::vector<TaskView> PlanFollower::take_handover() {
  if (!handover_pending_.load(std::memory_order_acquire)) return {};
  std::lock_guard lock(mutex_);
  handover_pending_.store(false, std::memory_order_release);
  return std::exchange(handover_, {});
}

void PlanFollower::cancelled(TaskView task) {
  if (state_.load(std::memory_order_acquire) == State::abandoned) return;
  std::lock_guard lock(mutex_);
  Node* node = find(task);
  if (node == nullptr || node->done) return;
  node->done = true;
  if (state_ == State::following && ++done_ == nodes_.size()) {
    clear();
    state_ = State::abandoned;
  }
}

PlanFollower::State PlanFollower::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}

double PlanFollower::planned_makespan_us() const {
  std::lock_guard lock(mutex_);
  return makespan_us_;
}

}  // namespace tessera::inspirit
