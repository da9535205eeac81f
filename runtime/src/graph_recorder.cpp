#include "graph_recorder.hpp"

#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "tessera/error.hpp"

namespace tessera::detail {

void GraphRecorder::add_task(std::uint64_t id, std::string name, std::string codelet) {
  std::lock_guard lock(mutex_);
  nodes_.push_back({id, std::move(name), std::move(codelet)});
}

void GraphRecorder::add_edge(std::uint64_t from, std::uint64_t to) {
  std::lock_guard lock(mutex_);
  edges_.emplace_back(from, to);
}

void GraphRecorder::write_dot(const std::string& path) const {
  std::ofstream out(path);
  if (!out) throw Error("cannot write DOT file '" + path + "'");
  std::lock_guard lock(mutex_);
  // One colour per codelet so task types stand out.
  static const char* const palette[] = {"#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3",
                                        "#fdb462", "#b3de69", "#fccde5", "#d9d9d9", "#bc80bd"};
  out << "digraph tessera {\n  node [style=filled, shape=box, fontname=\"Helvetica\"];\n";
  for (const Node& n : nodes_) {
    const char* colour = palette[std::hash<std::string>{}(n.codelet) % std::size(palette)];
    // JSON string escaping is also valid DOT string escaping for quotes and backslashes.
    out << "  t" << n.id << " [label=" << nlohmann::json(n.name).dump() << ", fillcolor=\""
        << colour << "\", codelet=" << nlohmann::json(n.codelet).dump() << "];\n";
  }
  for (const auto& [from, to] : edges_) out << "  t" << from << " -> t" << to << ";\n";
  out << "}\n";
  if (!out) throw Error("error while writing DOT file '" + path + "'");
}

}  // namespace tessera::detail
