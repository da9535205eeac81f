// The Dag type: JSON (tessera-dag/1) reading and writing, and ordering by `after` edges.
// DOT and STG readers live in dag_dot.cpp and dag_stg.cpp.

#include "tessera/dag.hpp"

#include <fstream>
#include <queue>
#include <sstream>
#include <unordered_map>

#include "dag_order.hpp"
#include "json_reader.hpp"

namespace tessera {
namespace {

using detail::JsonPath;
using nlohmann::json;

constexpr std::string_view kFormat = "tessera-dag/1";

Access parse_mode(const JsonPath& p) {
  const std::string text = p.string();
  for (Access mode : {Access::R, Access::W, Access::RW, Access::SCRATCH,
                      Access::W | Access::COMMUTE, Access::RW | Access::COMMUTE}) {
    if (to_string(mode) == text) return mode;
  }
  p.fail("unknown access mode '" + text + "' (use R, W, RW, SCRATCH, W|COMMUTE or RW|COMMUTE)");
}

std::string task_label(const JsonPath& p, std::size_t index) {
  return p.has("id") && p.at("id").value().is_string()
             ? "tasks[" + std::to_string(index) + "] ('" + p.at("id").string() + "')"
             : "tasks[" + std::to_string(index) + "]";
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

namespace detail {

void check_task_numbers(const std::vector<DagTask>& tasks, const std::string& source) {
  const auto fail = [&](const DagTask& t, const std::string& what, double v, const char* range) {
    std::ostringstream value;
    value << v;
    throw InvalidArgument(source + ": task '" + t.id + "': " + what + " = " + value.str() +
                          " is out of range " + range);
  };
  for (const DagTask& t : tasks) {
    if (!(t.flops >= 0 && t.flops <= kMaxTaskFlops)) fail(t, "flops", t.flops, "[0, 1e24]");
    for (const auto& [kind, us] : t.cost_us) {
      if (!(us >= 0 && us <= kMaxTaskCostUs)) {
        fail(t, "cost_us." + kind, us, "[0, 1e15] (1e15 us is about 31 years)");
      }
    }
  }
}

void order_by_after(std::vector<DagTask>& tasks, std::vector<std::vector<std::size_t>>& after,
                    const std::string& source) {
  const std::size_t n = tasks.size();
  std::vector<std::vector<std::size_t>> successors(n);
  std::vector<std::size_t> waiting(n, 0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t a : after[i]) {
      if (a == i)
        throw InvalidArgument(source + ": task '" + tasks[i].id + "' lists itself in after");
      successors[a].push_back(i);
      ++waiting[i];
    }
  }
  // Kahn's algorithm, smallest original index first: the listed order is kept wherever
  // the after edges allow it.
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push(i);
  }
  std::vector<std::size_t> order;
  order.reserve(n);
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (std::size_t s : successors[i]) {
      if (--waiting[s] == 0) ready.push(s);
    }
  }
  if (order.size() != n) {
    // Every task left waits for another task left: walking back from one reaches a task
    // twice, and the walk between the two visits is a cycle. Name its tasks.
    std::vector<bool> done(n, false);
    for (std::size_t i : order) done[i] = true;
    std::size_t at = 0;
    while (done[at]) ++at;
    std::vector<std::size_t> walk, seen_at(n, n);
    while (seen_at[at] == n) {
      seen_at[at] = walk.size();
      walk.push_back(at);
      for (std::size_t a : after[at]) {
        if (!done[a]) {
          at = a;
          break;
        }
      }
    }
    std::string cycle;
    const std::size_t first = seen_at[at], shown = std::min<std::size_t>(walk.size() - first, 8);
    for (std::size_t k = 0; k < shown; ++k) cycle += "'" + tasks[walk[first + k]].id + "' -> ";
    if (walk.size() - first > shown) cycle += "... -> ";
    cycle += "'" + tasks[at].id + "'";
    throw InvalidArgument(source + ": the task dependencies form a cycle: " + cycle +
                          " (each waits for the next)");
  }
  std::vector<std::size_t> position(n);
  for (std::size_t k = 0; k < n; ++k) position[order[k]] = k;
  std::vector<DagTask> sorted(n);
  for (std::size_t k = 0; k < n; ++k) {
    sorted[k] = std::move(tasks[order[k]]);
    sorted[k].after.clear();
    for (std::size_t a : after[order[k]]) sorted[k].after.push_back(position[a]);
  }
  tasks = std::move(sorted);
}

}  // namespace detail

Dag Dag::parse_json(std::string_view text, std::string_view source_name) {
  const std::string source(source_name);
  const json doc = detail::parse_json_text(text, source);
  const JsonPath root(source, doc);
  root.object();
  const std::string format = root.at("format").string();
  if (format != kFormat)
    root.at("format").fail("unsupported format '" + format + "' (expected " + std::string(kFormat) +
                           ")");
  Dag dag;
  dag.name = root.string_or("name", "dag");

  std::unordered_map<std::string, std::size_t> data_ids;
  if (root.has("data")) {
    const JsonPath list = root.at("data");
    for (std::size_t i = 0; i < list.array().size(); ++i) {
      const JsonPath d = list.at(i);
      DagData item{d.at("id").string(), d.at("bytes").count()};
      if (!data_ids.emplace(item.id, i).second)
        d.at("id").fail("duplicate data id '" + item.id + "'");
      dag.data.push_back(std::move(item));
    }
  }

  const JsonPath list = root.at("tasks");
  std::unordered_map<std::string, std::size_t> task_ids;
  for (std::size_t i = 0; i < list.array().size(); ++i) {
    const JsonPath t = list.at(i);
    const std::string id = t.at("id").string();
    if (!task_ids.emplace(id, i).second) t.at("id").fail("duplicate task id '" + id + "'");
  }
  std::vector<std::vector<std::size_t>> after(list.array().size());
  for (std::size_t i = 0; i < list.array().size(); ++i) {
    const JsonPath t = list.at(i);
    DagTask task;
    task.id = t.at("id").string();
    task.type = t.at("type").string();
    if (task.type.empty()) t.at("type").fail("must not be empty");
    if (t.has("flops")) task.flops = t.at("flops").non_negative();
    if (t.has("priority")) task.priority = t.at("priority").int32();
    if (t.has("worker")) {
      task.worker = t.at("worker").int32();
      if (task.worker < 0) t.at("worker").fail("must be a worker index (0 or more)");
    }
    if (t.has("cost_us")) {
      const JsonPath costs = t.at("cost_us");
      for (const auto& [kind, value] : costs.object().items())
        task.cost_us[kind] = costs.at(kind).non_negative();
      if (task.cost_us.empty()) costs.fail("lists no architecture: the task could run nowhere");
    }
    if (t.has("access")) {
      const JsonPath accesses = t.at("access");
      for (std::size_t a = 0; a < accesses.array().size(); ++a) {
        const JsonPath pair = accesses.at(a);
        if (!pair.value().is_array() || pair.value().size() != 2)
          pair.fail("expected [data id, mode]");
        const std::string data_id = pair.at(0).string();
        auto it = data_ids.find(data_id);
        if (it == data_ids.end())
          pair.at(0).fail("unknown data id '" + data_id + "' in " + task_label(t, i));
        task.access.push_back({it->second, parse_mode(pair.at(1))});
      }
    }
    if (t.has("after")) {
      const JsonPath edges = t.at("after");
      for (std::size_t a = 0; a < edges.array().size(); ++a) {
        const std::string other = edges.at(a).string();
        auto it = task_ids.find(other);
        if (it == task_ids.end())
          edges.at(a).fail("unknown task id '" + other + "' in " + task_label(t, i));
        after[i].push_back(it->second);
      }
    }
    dag.tasks.push_back(std::move(task));
  }
  detail::order_by_after(dag.tasks, after, source);
  detail::check_task_numbers(dag.tasks, source);
  return dag;
}

Dag Dag::load(const std::string& path) {
  const std::string text = detail::read_text_file(path);
  if (ends_with(path, ".dot") || ends_with(path, ".gv")) return parse_dot(text, path);
  if (ends_with(path, ".stg")) return parse_stg(text, path);
  return parse_json(text, path);
}

std::string Dag::to_json() const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["name"] = name;
  j["data"] = nlohmann::ordered_json::array();
  for (const DagData& d : data) j["data"].push_back({{"id", d.id}, {"bytes", d.bytes}});
  j["tasks"] = nlohmann::ordered_json::array();
  for (const DagTask& t : tasks) {
    nlohmann::ordered_json task = {{"id", t.id}, {"type", t.type}};
    if (t.flops > 0) task["flops"] = t.flops;
    if (!t.cost_us.empty()) task["cost_us"] = t.cost_us;
    nlohmann::ordered_json access = nlohmann::ordered_json::array();
    for (const DagAccess& a : t.access) access.push_back({data[a.data].id, to_string(a.mode)});
    task["access"] = access;
    if (!t.after.empty()) {
      nlohmann::ordered_json after = nlohmann::ordered_json::array();
      for (std::size_t a : t.after) after.push_back(tasks[a].id);
      task["after"] = after;
    }
    if (t.priority != 0) task["priority"] = t.priority;
    if (t.worker >= 0) task["worker"] = t.worker;
    j["tasks"].push_back(task);
  }
  return j.dump(1) + "\n";
}

void Dag::save(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw InvalidArgument("cannot write DAG file '" + path + "'");
  out << to_json();
  if (!out) throw InvalidArgument("error while writing DAG file '" + path + "'");
}

double Dag::total_flops() const {
  double total = 0;
  for (const DagTask& t : tasks) total += t.flops;
  return total;
}

std::size_t Dag::data_index(std::string_view id) const {
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (data[i].id == id) return i;
  }
  throw InvalidArgument("DAG '" + name + "' has no data '" + std::string(id) + "'");
}

}  // namespace tessera
