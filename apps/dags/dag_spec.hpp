#pragma once
// DAG specifications on the command line: a generator ("cholesky:16", "lu:8:nb=640",
// "qr:12:nb=960:elem=8", "random:n=200,fat=0.5,density=0.4,jump=2,ccr=0.1,seed=7") or a
// file (.json, .dot, .stg).

#include <string>
#include <string_view>

#include <tessera/dag.hpp>

namespace tessera::dags {

struct GeneratorDefaults {
  int tile_size = 960;  // the platforms' reference tile
  int elem_size = 4;    // bytes per element: single precision, as StarPU's sampled models
};

// Throws InvalidArgument naming the spec and what is wrong with it.
Dag make_dag(std::string_view spec, const GeneratorDefaults& defaults = {});

// True if `spec` names a generator rather than a file.
bool is_generator_spec(std::string_view spec);

}  // namespace tessera::dags
