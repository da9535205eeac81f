#include "common/list_planner.hpp"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <queue>
#include <random>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <utility>

namespace tessera::sched::planning {

void Problem::validate() const {
  auto bad = [](const std::string& what) { throw std::invalid_argument("planner: " + what); };
  const std::size_t n = tasks();
  const std::size_t w = workers();
  if (w == 0) bad("no workers");
  if (succs.size() != n) bad("preds and succs describe different numbers of tasks");
  if (cost.size() != n * w)
    bad("cost has " + std::to_string(cost.size()) + " entries, expected " + std::to_string(n * w));
  if (latency_us.size() != nodes * nodes || us_per_byte.size() != latency_us.size())
    bad("transfer tables are not square");
  if (!initial_bytes.empty() && initial_bytes.size() != n)
    bad("initial_bytes must be empty or give one value per task");
  if (home >= nodes && !initial_bytes.empty()) bad("the home node is outside the transfer tables");
  for (std::size_t node : worker_node) {
    if (node >= nodes) bad("a worker's memory node is outside the transfer tables");
  }
  for (std::size_t t = 0; t < n; ++t) {
    for (const Edge& e : preds[t]) {
      if (e.task >= t) bad("task " + std::to_string(t) + " has a predecessor submitted after it");
    }
    for (const Edge& e : succs[t]) {
      if (e.task <= t || e.task >= n) bad("task " + std::to_string(t) + " has a bad successor");
    }
    bool runnable = false;
    for (std::size_t k = 0; k < w; ++k) runnable = runnable || length(t, k) != kCannotRun;
    if (!runnable) bad("no worker can run task " + std::to_string(t));
  }
}

// One list-scheduling pass. Forwards, a task waits for its predecessors; backwards (on the
// reversed graph) for its successors, and the times it gets run from the end of the schedule.
// ListScheduler keeps a forward one between calls.
class ListScheduler::Pass {
 public:
  Pass(const Problem& p, bool backwards)
      : p_(p),
        backwards_(backwards),
        contention_(p.link_contention && !backwards),
        before_(backwards ? p.succs : p.preds),
        busy_(p.workers()),
        link_free_(p.nodes * p.nodes, 0.0) {}

  Schedule run(std::span<const std::size_t> order) {
    const std::size_t n = p_.tasks();
    if (order.size() != n) throw std::invalid_argument("planner: the order must list every task");
    grow(n);
    for (std::size_t t : order) {
      if (t >= n || placed(t))
        throw std::invalid_argument("planner: the order lists a task twice or out of range");
      place(t);
    }
    if (backwards_) {
      // Run the mirrored times forwards.
      for (std::size_t t = 0; t < n; ++t) {
        const double start = s_.makespan - s_.end[t];
        s_.end[t] = s_.makespan - s_.start[t];
        s_.start[t] = start;
      }
    }
    return std::move(s_);
  }

  // Room for the first `n` tasks of the problem (unplaced ones get worker = workers()).
  void grow(std::size_t n) {
    if (s_.worker.size() >= n) return;
    s_.worker.resize(n, p_.workers());
    s_.start.resize(n, 0.0);
    s_.end.resize(n, 0.0);
  }
  bool placed(std::size_t t) const { return t < s_.worker.size() && s_.worker[t] < p_.workers(); }

  void place(std::size_t t, double not_before = 0.0) {
    grow(t + 1);
    for (const Edge& e : before_[t]) {
      if (!placed(e.task))
        throw std::invalid_argument("planner: task " + std::to_string(t) +
                                    " is ordered before a task it depends on");
    }
    const std::size_t workers = p_.workers();
    std::size_t best = workers;
    double best_start = 0.0;
    double best_end = kCannotRun;
    for (std::size_t w = 0; w < workers; ++w) {
      const double length = p_.length(t, w);
      if (length == kCannotRun) continue;
      const double ready = std::max(not_before, inputs_ready(t, w, false));
      const double start = insertion_start(busy_[w], ready, length);
      if (start + length < best_end) {
        best = w;
        best_start = start;
        best_end = start + length;
      }
    }
    if (best == workers)
      throw std::invalid_argument("planner: no worker can run task " + std::to_string(t));
    if (contention_) inputs_ready(t, best, true);  // reserve the links it uses
    s_.worker[t] = best;
    s_.start[t] = best_start;
    s_.end[t] = best_end;
    s_.makespan = std::max(s_.makespan, best_end);
    auto& line = busy_[best];
    line.insert(std::upper_bound(line.begin(), line.end(), Interval{best_start, best_end}),
                {best_start, best_end});
  }

  void observe(std::size_t t, std::size_t worker, double end) {
    if (!placed(t) || worker >= p_.workers())
      throw std::invalid_argument("planner: observe() of an unplaced task or an unknown worker");
    s_.worker[t] = worker;
    s_.end[t] = end;
  }

  void adopt(const Schedule& schedule) {
    s_ = schedule;
    for (auto& line : busy_) line.clear();
    for (std::size_t t = 0; t < s_.worker.size(); ++t) {
      if (placed(t)) busy_[s_.worker[t]].push_back({s_.start[t], s_.end[t]});
    }
    for (auto& line : busy_) std::sort(line.begin(), line.end());
    std::fill(link_free_.begin(), link_free_.end(), 0.0);
    copies_.clear();
  }

  const Schedule& schedule() const { return s_; }

 private:
  // When all of task t's inputs can be on worker w. With `commit`, the copies it needs
  // occupy their links and are remembered: a later reader on the same node finds them there.
  double inputs_ready(std::size_t t, std::size_t w, bool commit) {
    const std::size_t node = p_.worker_node[w];
    const std::size_t keys_per_task = p_.nodes;
    tentative_.clear();
    double ready = 0.0;
    // Forwards, the graph's initial data must first reach the worker. (Backwards that would
    // be a constraint on the tail; the backward pass only proposes an order.)
    if (!backwards_ && !p_.initial_bytes.empty()) {
      const std::uint64_t key = (p_.tasks() + t) * keys_per_task + node;
      ready = arrival(p_.home, node, 0.0, p_.initial_bytes[t], key, commit);
    }
    for (const Edge& e : before_[t]) {
      const std::uint64_t key = e.task * keys_per_task + node;
      ready = std::max(ready, arrival(p_.worker_node[s_.worker[e.task]], node, s_.end[e.task],
                                      e.bytes, key, commit));
    }
    return ready;
  }

  // Arrival on `to` of `bytes` sent from `from` once they exist (at `sent`). Without
  // contention every copy has its link to itself; with it, copies over one link go one after
  // the other, and a node receives each producer's output once.
  double arrival(std::size_t from, std::size_t to, double sent, double bytes, std::uint64_t key,
                 bool commit) {
    if (from == to || bytes <= 0) return sent;
    if (!contention_) return sent + p_.node_transfer_us(from, to, bytes);
    // Consumers may read different parts of a producer's output: a copy made for one serves
    // another only if it carried at least as many bytes.
    const auto copy = copies_.find(key);
    if (copy != copies_.end() && copy->second.bytes >= bytes) return copy->second.arrival;
    const std::size_t link = from * p_.nodes + to;
    // While only evaluating a worker, the task's own copies queue behind each other without
    // reserving anything: they are kept aside in `tentative_`.
    auto pending = std::find_if(tentative_.begin(), tentative_.end(),
                                [&](const auto& entry) { return entry.first == link; });
    const double free_at = commit                        ? link_free_[link]
                           : pending != tentative_.end() ? pending->second
                                                         : link_free_[link];
    const double end = std::max(sent, free_at) + p_.node_transfer_us(from, to, bytes);
    if (commit) {
      link_free_[link] = end;
      copies_[key] = Copy{end, bytes};
    } else if (pending != tentative_.end()) {
      pending->second = end;
    } else {
      tentative_.push_back({link, end});
    }
    return end;
  }

  const Problem& p_;
  const bool backwards_;
  const bool contention_;
  const std::vector<std::vector<Edge>>& before_;
  std::vector<std::vector<Interval>> busy_;
  std::vector<double> link_free_;
  struct Copy {
    double arrival;
    double bytes;
  };
  std::unordered_map<std::uint64_t, Copy> copies_;         // producer and node -> its output there
  std::vector<std::pair<std::size_t, double>> tentative_;  // link, free at (evaluation only)
  Schedule s_;
};

namespace {

Schedule pass(const Problem& p, std::span<const std::size_t> order, bool backwards) {
  return ListScheduler::Pass(p, backwards).run(order);
}

}  // namespace

ListScheduler::ListScheduler(const Problem& problem)
    : pass_(std::make_unique<Pass>(problem, false)) {}
ListScheduler::~ListScheduler() = default;
ListScheduler::ListScheduler(ListScheduler&&) noexcept = default;
void ListScheduler::place(std::size_t t, double not_before) {
  pass_->place(t, not_before);
}
void ListScheduler::observe(std::size_t t, std::size_t worker, double end) {
  pass_->observe(t, worker, end);
}
void ListScheduler::adopt(const Schedule& schedule) {
  pass_->adopt(schedule);
}
bool ListScheduler::placed(std::size_t t) const {
  return pass_->placed(t);
}
const Schedule& ListScheduler::schedule() const {
  return pass_->schedule();
}

double insertion_start(std::span<const Interval> busy, double ready, double length) {
  // Intervals do not overlap, so their ends are sorted too: skip those ending before ready.
  auto it = std::lower_bound(busy.begin(), busy.end(), ready,
                             [](const Interval& b, double t) { return b.second <= t; });
  double candidate = ready;
  for (; it != busy.end(); ++it) {
    if (candidate + length <= it->first) return candidate;
    candidate = std::max(candidate, it->second);
  }
  return candidate;
}

Schedule list_schedule(const Problem& problem, std::span<const std::size_t> order) {
  return pass(problem, order, false);
}

std::vector<double> upward_ranks(const Problem& p, RankCost rank_cost,
                                 std::span<const double> scale, std::size_t first) {
  const std::size_t n = p.tasks();
  const std::size_t workers = p.workers();
  // Mean transfer between distinct memory nodes that hold workers, as HEFT ranks use.
  std::vector<std::size_t> used(p.worker_node);
  std::sort(used.begin(), used.end());
  used.erase(std::unique(used.begin(), used.end()), used.end());
  double latency = 0.0, per_byte = 0.0;
  std::size_t pairs = 0;
  for (std::size_t a : used) {
    for (std::size_t b : used) {
      if (a == b) continue;
      latency += p.latency_us[a * p.nodes + b];
      per_byte += p.us_per_byte[a * p.nodes + b];
      ++pairs;
    }
  }
  if (pairs > 0) {
    latency /= static_cast<double>(pairs);
    per_byte /= static_cast<double>(pairs);
  }
  std::vector<double> rank(n, 0.0);
  for (std::size_t t = n; t-- > first;) {
    double total = 0.0, fastest = kCannotRun;
    std::size_t count = 0;
    for (std::size_t w = 0; w < workers; ++w) {
      const double length = p.length(t, w);
      if (length == kCannotRun) continue;
      total += length;
      fastest = std::min(fastest, length);
      ++count;
    }
    double tail = 0.0;
    for (const Edge& e : p.succs[t]) {
      const double comm = e.bytes > 0 && pairs > 0 ? latency + e.bytes * per_byte : 0.0;
      tail = std::max(tail, comm + rank[e.task]);
    }
    const double own =
        count == 0 ? 0.0
                   : (rank_cost == RankCost::mean ? total / static_cast<double>(count) : fastest);
    rank[t] = (scale.empty() ? own : own * scale[t]) + tail;
  }
  return rank;
}

std::vector<std::size_t> order_by_rank(std::span<const double> ranks) {
  std::vector<std::size_t> order(ranks.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return ranks[a] > ranks[b]; });
  return order;
}

std::vector<std::size_t> order_by_priority(const Problem& p, std::span<const double> priority,
                                           std::span<const double> ties) {
  const std::size_t n = p.tasks();
  std::vector<std::size_t> waiting(n);
  for (std::size_t t = 0; t < n; ++t) waiting[t] = p.preds[t].size();
  // Highest priority first, then highest tie value, then submission order.
  auto lower = [&](std::size_t a, std::size_t b) {
    if (priority[a] != priority[b]) return priority[a] < priority[b];
    if (ties[a] != ties[b]) return ties[a] < ties[b];
    return a > b;
  };
  std::priority_queue<std::size_t, std::vector<std::size_t>, decltype(lower)> ready(lower);
  for (std::size_t t = 0; t < n; ++t) {
    if (waiting[t] == 0) ready.push(t);
  }
  std::vector<std::size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const std::size_t t = ready.top();
    ready.pop();
    order.push_back(t);
    for (const Edge& e : p.succs[t]) {
      if (--waiting[e.task] == 0) ready.push(e.task);
    }
  }
  return order;
}

Schedule improve(const Problem& problem, Schedule initial, int rounds, Budget* budget,
                 const std::function<bool(double)>& stop) {
  const std::size_t n = problem.tasks();
  Schedule best = std::move(initial);
  const Schedule* current = &best;
  Schedule latest;
  std::vector<std::size_t> order(n);
  int stale = 0;
  for (int round = 0; round < rounds && stale < 2; ++round) {
    if (stop && stop(best.makespan)) break;
    if (budget != nullptr && !budget->spend(2)) break;
    // Backwards, by decreasing finish time; ties: later submitted first (a zero-length
    // successor may end when its predecessor does).
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return current->end[a] != current->end[b] ? current->end[a] > current->end[b] : a > b;
    });
    const Schedule back = pass(problem, order, true);
    // Forwards, by the backward pass's start times; ties: submission order.
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return back.start[a] != back.start[b] ? back.start[a] < back.start[b] : a < b;
    });
    latest = pass(problem, order, false);
    if (latest.makespan < best.makespan * (1.0 - 1e-9)) {
      best = std::move(latest);
      current = &best;
      stale = 0;
    } else {
      current = &latest;
      ++stale;
    }
  }
  return best;
}

Schedule search(const Problem& problem, const SearchOptions& options) {
  problem.validate();
  if (!options.priorities.empty() && options.priorities.size() != problem.tasks())
    throw std::invalid_argument("planner: priorities must give one value per task");
  const std::size_t n = std::max<std::size_t>(problem.tasks(), 1);
  // Passes (of n placements each) the restarts may take; the three first starts always run.
  Budget budget(options.budget == 0 ? std::numeric_limits<double>::infinity()
                                    : static_cast<double>(options.budget) / static_cast<double>(n));
  std::optional<Schedule> best;
  auto stopped = [&] { return best && options.stop && options.stop(best->makespan); };
  auto consider = [&](const std::vector<std::size_t>& order) {
    if (stopped()) return;
    Budget counter(std::numeric_limits<double>::infinity());  // counted, not limited
    Schedule s =
        improve(problem, list_schedule(problem, order), options.rounds, &counter, options.stop);
    budget.spend(std::min(budget.left(), 1.0 + counter.spent()));
    if (!best || s.makespan < best->makespan) best = std::move(s);
  };
  const std::vector<double> bottom_levels = upward_ranks(problem, RankCost::fastest);
  consider(order_by_rank(bottom_levels));
  consider(order_by_rank(upward_ranks(problem, RankCost::mean)));
  if (!options.priorities.empty()) {
    // The application's priorities, as dmdas uses them: among the tasks whose predecessors
    // are placed, the highest priority first (ties: bottom level).
    consider(order_by_priority(problem, options.priorities, bottom_levels));
  }
  // Restarts from ranks whose task costs are scaled at random: other orders, other plans.
  std::mt19937_64 random(options.seed);
  std::uniform_real_distribution<double> noise(1.0 - options.noise, 1.0 + options.noise);
  std::vector<double> scale(problem.tasks());
  for (int r = 0; r < options.restarts && budget.left() > 0 && !stopped(); ++r) {
    for (double& x : scale) x = noise(random);
    consider(order_by_rank(
        upward_ranks(problem, r % 2 == 0 ? RankCost::fastest : RankCost::mean, scale)));
  }
  return std::move(*best);
}

}  // namespace tessera::sched::planning
