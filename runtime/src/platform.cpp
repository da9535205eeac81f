#include "tessera/platform.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "builtin_platforms.hpp"
#include "json_reader.hpp"

namespace tessera {
namespace {

using detail::JsonPath;
using nlohmann::json;

constexpr std::string_view kFormat = "tessera-platform/1";

MemoryKind parse_memory_kind(const JsonPath& p) {
  const std::string kind = p.string();
  if (kind == "host") return MemoryKind::host;
  if (kind == "cuda") return MemoryKind::cuda;
  p.fail("unknown memory kind '" + kind + "' (use host or cuda)");
}

std::string_view to_string(MemoryKind kind) {
  return kind == MemoryKind::host ? "host" : "cuda";
}

CostEntry parse_cost(const JsonPath& p) {
  CostEntry c;
  c.mean_us = p.at("mean_us").non_negative();
  if (p.has("stddev_us")) c.stddev_us = p.at("stddev_us").non_negative();
  c.derived_from = p.string_or("derived_from", "");
  if (p.has("by_size")) {
    const JsonPath list = p.at("by_size");
    for (std::size_t i = 0; i < list.array().size(); ++i) {
      const JsonPath s = list.at(i);
      CostSample sample;
      sample.bytes = s.at("bytes").positive();
      sample.mean_us = s.at("mean_us").non_negative();
      if (s.has("stddev_us")) sample.stddev_us = s.at("stddev_us").non_negative();
      if (s.has("samples")) sample.samples = s.at("samples").count();
      c.by_size.push_back(sample);
    }
    std::sort(c.by_size.begin(), c.by_size.end(),
              [](const CostSample& a, const CostSample& b) { return a.bytes < b.bytes; });
  }
  return c;
}

nlohmann::ordered_json cost_to_json(const CostEntry& c) {
  nlohmann::ordered_json j = {{"mean_us", c.mean_us}, {"stddev_us", c.stddev_us}};
  if (!c.derived_from.empty()) j["derived_from"] = c.derived_from;
  if (!c.by_size.empty()) {
    nlohmann::ordered_json list = nlohmann::ordered_json::array();
    for (const CostSample& s : c.by_size) {
      list.push_back({{"bytes", s.bytes},
                      {"mean_us", s.mean_us},
                      {"stddev_us", s.stddev_us},
                      {"samples", s.samples}});
    }
    j["by_size"] = list;
  }
  return j;
}

void validate_links(const Platform& p, const std::string& source) {
  std::set<int> node_ids;
  for (const MemoryNodeSpec& n : p.memory_nodes) node_ids.insert(n.id);
  const int host = p.memory_nodes.front().id;
  for (const MemoryNodeSpec& n : p.memory_nodes) {
    if (n.id == host) continue;
    if (p.link(host, n.id) == nullptr || p.link(n.id, host) == nullptr) {
      throw InvalidArgument(source + ": links: memory node " + std::to_string(n.id) +
                            " needs a link to and from the host node " + std::to_string(host));
    }
  }
}

}  // namespace

Platform Platform::parse(std::string_view text, std::string_view source_name) {
  const std::string source(source_name);
  const json doc = detail::parse_json_text(text, source);
  const JsonPath root(source, doc);
  root.object();
  const std::string format = root.at("format").string();
  if (format != kFormat)
    root.at("format").fail("unsupported format '" + format + "' (expected " + std::string(kFormat) +
                           ")");

  Platform p;
  p.name = root.at("name").string();
  p.description = root.string_or("description", "");
  if (root.has("tile")) {
    p.tile = root.at("tile").int32();
    if (p.tile <= 0) root.at("tile").fail("must be positive");
  }

  const JsonPath nodes = root.at("memory_nodes");
  if (nodes.array().empty()) nodes.fail("at least one memory node is needed");
  std::set<int> ids;
  for (std::size_t i = 0; i < nodes.array().size(); ++i) {
    const JsonPath n = nodes.at(i);
    MemoryNodeSpec spec;
    spec.id = n.at("id").int32();
    spec.kind = parse_memory_kind(n.at("kind"));
    spec.bytes = n.at("bytes").count();
    if (spec.bytes == 0) n.at("bytes").fail("must be positive");
    if (!ids.insert(spec.id).second)
      n.at("id").fail("duplicate memory node id " + std::to_string(spec.id));
    p.memory_nodes.push_back(spec);
  }
  if (p.memory_nodes.front().kind != MemoryKind::host)
    nodes.at(0).at("kind").fail("the first memory node must be the host");

  const JsonPath workers = root.at("workers");
  if (workers.array().empty()) workers.fail("at least one worker group is needed");
  for (std::size_t i = 0; i < workers.array().size(); ++i) {
    const JsonPath w = workers.at(i);
    WorkerGroup g;
    const std::string arch = w.at("arch").string();
    const auto parsed = parse_arch(arch);
    if (!parsed) w.at("arch").fail("unknown architecture '" + arch + "' (use cpu, cuda or opencl)");
    g.arch = *parsed;
    g.count = w.at("count").int32();
    if (g.count <= 0) w.at("count").fail("must be positive");
    g.memory_node = w.at("memory_node").int32();
    if (!ids.count(g.memory_node))
      w.at("memory_node").fail("no memory node with id " + std::to_string(g.memory_node));
    g.kind = w.string_or("kind", std::string(to_string(g.arch)));
    p.workers.push_back(g);
  }

  if (root.has("links")) {
    const JsonPath links = root.at("links");
    for (std::size_t i = 0; i < links.array().size(); ++i) {
      const JsonPath l = links.at(i);
      LinkSpec link;
      link.from = l.at("from").int32();
      link.to = l.at("to").int32();
      if (!ids.count(link.from))
        l.at("from").fail("no memory node with id " + std::to_string(link.from));
      if (!ids.count(link.to)) l.at("to").fail("no memory node with id " + std::to_string(link.to));
      if (link.from == link.to) l.fail("a link joins two different memory nodes");
      link.bandwidth_MBps = l.at("bandwidth_MBps").positive();
      link.latency_us = l.at("latency_us").non_negative();
      if (l.has("contention")) link.contention = l.at("contention").boolean();
      p.links.push_back(link);
    }
  }
  validate_links(p, source);

  if (root.has("task_costs")) {
    const JsonPath costs = root.at("task_costs");
    for (const auto& [type, per_kind] : costs.object().items()) {
      const JsonPath t = costs.at(type);
      for (const auto& [kind, entry] : t.object().items())
        p.task_costs[type][kind] = parse_cost(t.at(kind));
    }
  }
  return p;
}

Platform Platform::load(const std::string& path) {
  return parse(detail::read_text_file(path), path);
}

std::vector<std::string> Platform::builtin_names() {
  std::vector<std::string> names;
  for (const auto& entry : detail::builtin_platforms()) names.emplace_back(entry.name);
  return names;
}

Platform Platform::builtin(std::string_view name) {
  for (const auto& entry : detail::builtin_platforms()) {
    if (entry.name == name)
      return parse(entry.json, "built-in platform '" + std::string(name) + "'");
  }
  std::string known;
  for (const std::string& n : builtin_names()) known += (known.empty() ? "" : ", ") + n;
  throw InvalidArgument("no built-in platform '" + std::string(name) + "' (built in: " + known +
                        ")");
}

Platform Platform::resolve(std::string_view name_or_path) {
  for (const auto& entry : detail::builtin_platforms()) {
    if (entry.name == name_or_path) return builtin(name_or_path);
  }
  if (name_or_path.find('/') == std::string_view::npos &&
      name_or_path.find('.') == std::string_view::npos) {
    return builtin(name_or_path);  // looks like a name: say which names exist
  }
  return load(std::string(name_or_path));
}

std::string Platform::to_json() const {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["name"] = name;
  if (!description.empty()) j["description"] = description;
  if (tile > 0) j["tile"] = tile;
  j["memory_nodes"] = nlohmann::ordered_json::array();
  for (const MemoryNodeSpec& n : memory_nodes) {
    j["memory_nodes"].push_back({{"id", n.id}, {"kind", to_string(n.kind)}, {"bytes", n.bytes}});
  }
  j["workers"] = nlohmann::ordered_json::array();
  for (const WorkerGroup& g : workers) {
    nlohmann::ordered_json w = {
        {"arch", to_string(g.arch)}, {"count", g.count}, {"memory_node", g.memory_node}};
    if (g.kind != to_string(g.arch)) w["kind"] = g.kind;
    j["workers"].push_back(w);
  }
  j["links"] = nlohmann::ordered_json::array();
  for (const LinkSpec& l : links) {
    nlohmann::ordered_json link = {{"from", l.from},
                                   {"to", l.to},
                                   {"bandwidth_MBps", l.bandwidth_MBps},
                                   {"latency_us", l.latency_us}};
    if (!l.contention) link["contention"] = false;
    j["links"].push_back(link);
  }
  j["task_costs"] = nlohmann::ordered_json::object();
  for (const auto& [type, per_kind] : task_costs) {
    for (const auto& [kind, cost] : per_kind) j["task_costs"][type][kind] = cost_to_json(cost);
  }
  return j.dump(2) + "\n";
}

int Platform::worker_count() const {
  int n = 0;
  for (const WorkerGroup& g : workers) n += g.count;
  return n;
}

const CostEntry* Platform::cost(std::string_view type, std::string_view kind) const {
  auto t = task_costs.find(std::string(type));
  if (t == task_costs.end()) return nullptr;
  auto k = t->second.find(std::string(kind));
  return k == t->second.end() ? nullptr : &k->second;
}

std::optional<CostSample> Platform::cost_at(std::string_view type, std::string_view kind,
                                            double bytes) const {
  const CostEntry* c = cost(type, kind);
  if (c == nullptr) return std::nullopt;
  const CostSample reference{bytes, c->mean_us, c->stddev_us, 0};
  if (bytes <= 0 || c->by_size.empty()) return reference;
  for (const CostSample& s : c->by_size) {
    if (std::abs(s.bytes - bytes) <= 0.01 * s.bytes) return s;
  }
  if (c->by_size.size() < 2) return reference;
  // Power law mean = a * bytes^b through the samples (least squares in log-log space).
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  const double n = static_cast<double>(c->by_size.size());
  for (const CostSample& s : c->by_size) {
    const double x = std::log(s.bytes), y = std::log(std::max(s.mean_us, 1e-9));
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
  const double a = std::exp((sy - b * sx) / n);
  const double mean = a * std::pow(bytes, b);
  // Keep the relative spread of the nearest sample.
  const CostSample& nearest = *std::min_element(
      c->by_size.begin(), c->by_size.end(), [&](const CostSample& x, const CostSample& y) {
        return std::abs(std::log(x.bytes / bytes)) < std::abs(std::log(y.bytes / bytes));
      });
  const double spread = nearest.mean_us > 0 ? nearest.stddev_us / nearest.mean_us : 0.0;
  return CostSample{bytes, mean, mean * spread, 0};
}

const LinkSpec* Platform::link(int from, int to) const {
  for (const LinkSpec& l : links) {
    if (l.from == from && l.to == to) return &l;
  }
  return nullptr;
}

}  // namespace tessera
