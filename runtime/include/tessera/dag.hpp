#pragma once
// Dag: a task graph as data, for the simulator and for exchanging graphs with other tools.
// The JSON format ("tessera-dag/1") is documented in docs/formats.md. Tasks are listed in
// submission order; dependencies follow from their data accesses in that order (sequential
// task flow) plus explicit `after` edges. DOT and STG (Kasahara's Standard Task Graph Set)
// files can be imported too.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "tessera/access.hpp"

namespace tessera {

struct DagData {
  std::string id;
  std::uint64_t bytes = 0;
};

struct DagAccess {
  std::size_t data = 0;  // index into Dag::data
  Access mode = Access::R;
};

struct DagTask {
  std::string id;
  std::string type;
  double flops = 0.0;
  // Optional per-task costs in microseconds, by worker kind or architecture ("cpu", "cuda",
  // or "*" for any). When present, a kind missing from it cannot run the task.
  std::map<std::string, double> cost_us;
  std::vector<DagAccess> access;
  std::vector<std::size_t> after;  // indices of tasks this one waits for, earlier in the list
  int priority = 0;
  // The one worker of the platform that may run it (its index among the platform's workers,
  // as the simulator numbers them), or -1: any worker its costs allow.
  int worker = -1;
};

class Dag {
 public:
  std::string name;
  std::vector<DagData> data;
  std::vector<DagTask> tasks;

  // tessera-dag/1 JSON. `after` may name tasks anywhere in the file: tasks are then moved,
  // keeping the listed order otherwise, so that each comes after those it names; a cycle of
  // `after` edges is an error. Errors name `source`, the task or field, and the reason.
  static Dag parse_json(std::string_view text, std::string_view source);
  // Graphviz DOT: nodes are tasks (attributes type, flops, cost_us, cpu_us, cuda_us,
  // priority), edges are dependencies (attribute bytes: a transfer of that size).
  static Dag parse_dot(std::string_view text, std::string_view source);
  // STG: "n", then n+2 lines "id time npred pred...", entry and exit nodes included; each
  // task costs time * unit_us on any worker.
  static Dag parse_stg(std::string_view text, std::string_view source, double unit_us = 1.0);
  // By extension: .json, .dot/.gv, .stg.
  static Dag load(const std::string& path);

  std::string to_json() const;
  void save(const std::string& path) const;

  double total_flops() const;
  // The predecessors of every task: the dependencies inferred from the data accesses in
  // list order (the same rules as Runtime submission) plus the `after` edges; each list
  // sorted and without duplicates.
  std::vector<std::vector<std::size_t>> predecessors() const;
  // Index of data / task by id; throws InvalidArgument if absent.
  std::size_t data_index(std::string_view id) const;
};

}  // namespace tessera
