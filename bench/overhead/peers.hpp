#pragma once
// Each runtime compared by the overhead benchmark runs a shape and reports the seconds
// from the first submission to the end of the last task.

#include <functional>
#include <string>
#include <vector>

#include "shapes.hpp"

namespace tessera::bench {

struct Runner {
  std::string name;  // "tessera-lws", "starpu-eager", "tbb-flow", ...
  // Prepares the runtime (not timed), runs `tasks` tasks of `shape`, returns the seconds.
  std::function<double(const Shape& shape, std::size_t tasks)> run;
};

std::vector<Runner> tessera_runners(int ncpu);
std::vector<Runner> starpu_runners(int ncpu);  // empty when built without StarPU
std::vector<Runner> tbb_runners(int ncpu);     // empty when built without oneTBB

}  // namespace tessera::bench
