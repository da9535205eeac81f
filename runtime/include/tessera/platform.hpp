#pragma once
// Platform: a description of a machine for the simulator — memory nodes, workers per
// architecture, the links between nodes, and per-task-type costs. The JSON format
// ("tessera-platform/1") is documented in docs/formats.md. Built-in platforms derived from
// StarPU's calibrated models of real machines ship with Tessera: see builtin_names().

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/arch.hpp"

namespace tessera {

enum class MemoryKind : std::uint8_t { host, cuda };

struct MemoryNodeSpec {
  int id = 0;
  MemoryKind kind = MemoryKind::host;
  std::uint64_t bytes = 0;  // capacity
};

// `count` workers of one architecture attached to one memory node. `kind` names their cost
// class in task_costs (default: the architecture's name), so one machine can hold several
// GPU models.
struct WorkerGroup {
  Arch arch = Arch::cpu;
  int count = 1;
  int memory_node = 0;
  std::string kind;
};

// A directed link. A link with contention transfers one piece of data at a time.
struct LinkSpec {
  int from = 0;
  int to = 0;
  double bandwidth_MBps = 0.0;  // 10^6 bytes per second
  double latency_us = 0.0;
  bool contention = true;
};

// Measured durations at one size (the total bytes a task accesses).
struct CostSample {
  double bytes = 0.0;
  double mean_us = 0.0;
  double stddev_us = 0.0;
  std::uint64_t samples = 0;
};

struct CostEntry {
  double mean_us = 0.0;  // at the platform's reference tile size
  double stddev_us = 0.0;
  std::vector<CostSample> by_size;  // optional: other sizes
  std::string derived_from;         // empty when measured; else how it was derived
};

class Platform {
 public:
  std::string name;
  std::string description;
  int tile = 0;  // the tile size (elements per side) that mean_us refers to; 0 if unspecified
  std::vector<MemoryNodeSpec> memory_nodes;
  std::vector<WorkerGroup> workers;
  std::vector<LinkSpec> links;
  std::map<std::string, std::map<std::string, CostEntry>> task_costs;  // type -> kind -> cost

  // Parses and validates; errors name `source`, the field and the reason (InvalidArgument).
  static Platform parse(std::string_view json_text, std::string_view source);
  static Platform load(const std::string& path);
  // A built-in platform by name ("sirocco", "mirage", "idgraf", "attila", ...).
  static Platform builtin(std::string_view name);
  static std::vector<std::string> builtin_names();
  // A built-in name, or else the path of a JSON file.
  static Platform resolve(std::string_view name_or_path);

  std::string to_json() const;

  int worker_count() const;
  // The cost entry of `type` on workers of `kind`, or null.
  const CostEntry* cost(std::string_view type, std::string_view kind) const;
  // Expected duration of a task of `type` accessing `bytes` bytes on workers of `kind`:
  // the sample of that size if measured, a power-law fit of the samples in between,
  // else the reference mean. Nullopt if the platform has no cost for that pair.
  std::optional<CostSample> cost_at(std::string_view type, std::string_view kind, double bytes) const;
  const LinkSpec* link(int from, int to) const;
};

}  // namespace tessera
