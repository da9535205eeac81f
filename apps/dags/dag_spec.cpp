#include "dags/dag_spec.hpp"

#include <charconv>
#include <cstdio>
#include <map>
#include <vector>

#include <tessera/error.hpp>
#include <tessera/memory_budget.hpp>

#include "dags/dense_factorizations.hpp"
#include "dags/random_dag.hpp"

namespace tessera::dags {
namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

int positive_int(std::string_view spec, std::string_view what, std::string_view text) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value <= 0) {
    throw InvalidArgument("DAG spec '" + std::string(spec) + "': " + std::string(what) + " '" +
                          std::string(text) + "' is not a positive integer");
  }
  return value;
}

}  // namespace

bool is_generator_spec(std::string_view spec) {
  for (std::string_view name : {"cholesky:", "lu:", "qr:", "random:"}) {
    if (spec.substr(0, name.size()) == name) return true;
  }
  return false;
}

Dag make_dag(std::string_view spec, const GeneratorDefaults& defaults) {
  if (!is_generator_spec(spec)) return Dag::load(std::string(spec));
  if (spec.substr(0, 7) == "random:") return random_dag(parse_random_options(spec.substr(7)));
  const std::vector<std::string> parts = split(spec, ':');
  const std::string& kind = parts[0];
  if (parts.size() < 2 || parts[1].empty()) {
    throw InvalidArgument("DAG spec '" + std::string(spec) + "': give the number of tiles, e.g. " +
                          kind + ":16");
  }
  const int tiles = positive_int(spec, "the tile count", parts[1]);
  int tile_size = defaults.tile_size;
  int elem_size = defaults.elem_size;
  for (std::size_t i = 2; i < parts.size(); ++i) {
    const std::size_t eq = parts[i].find('=');
    const std::string key = parts[i].substr(0, eq);
    const std::string value = eq == std::string::npos ? "" : parts[i].substr(eq + 1);
    if (key == "nb") {
      tile_size = positive_int(spec, "nb", value);
    } else if (key == "elem") {
      elem_size = positive_int(spec, "elem", value);
    } else {
      throw InvalidArgument("DAG spec '" + std::string(spec) + "': unknown option '" + parts[i] +
                            "' (known: nb=<tile size>, elem=<bytes per element>)");
    }
  }
  // Cholesky has about T^3/6 tasks, LU and QR about T^3/3; a task of a DAG and of its
  // simulation takes about a kilobyte.
  const double t = tiles;
  const double tasks = t * t * t / (kind == "cholesky" ? 6.0 : 3.0);
  char count[32];
  std::snprintf(count, sizeof count, "%.0f", tasks);  // may exceed any integer type
  require_memory(tasks * 1024.0,
                 "DAG spec '" + std::string(spec) + "' (about " + count + " tasks)");
  DagBuilder builder(kind + ":" + std::to_string(tiles), tiles, tile_size, elem_size);
  if (kind == "cholesky") cholesky(tiles, builder);
  if (kind == "lu") lu(tiles, builder);
  if (kind == "qr") qr(tiles, builder);
  return builder.take();
}

}  // namespace tessera::dags
