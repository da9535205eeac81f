// oneTBB flow graph's side of the overhead benchmark: one continue_node per task, with the
// edges that Tessera and StarPU infer from the data accesses given explicitly (TBB has no
// data-dependency inference). Graph construction is timed too, as submission is for the
// others.

#include <oneapi/tbb/flow_graph.h>
#include <oneapi/tbb/global_control.h>

#include <chrono>
#include <memory>
#include <vector>

#include "../overhead/peers.hpp"

namespace tessera::bench {
namespace {

double run_tbb(int ncpu, const Shape& shape, std::size_t tasks) {
  namespace flow = oneapi::tbb::flow;
  oneapi::tbb::global_control threads(oneapi::tbb::global_control::max_allowed_parallelism,
                                      static_cast<std::size_t>(ncpu));
  const auto preds = explicit_predecessors(shape, tasks);
  const auto start = std::chrono::steady_clock::now();
  flow::graph g;
  std::vector<std::unique_ptr<flow::continue_node<flow::continue_msg>>> nodes;
  nodes.reserve(tasks);
  std::vector<flow::continue_node<flow::continue_msg>*> roots;
  for (std::size_t i = 0; i < tasks; ++i) {
    nodes.push_back(std::make_unique<flow::continue_node<flow::continue_msg>>(
        g, [](const flow::continue_msg&) {}));
    for (std::size_t p : preds[i]) flow::make_edge(*nodes[p], *nodes[i]);
    if (preds[i].empty()) roots.push_back(nodes[i].get());
  }
  for (auto* r : roots) r->try_put(flow::continue_msg());
  g.wait_for_all();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

std::vector<Runner> tbb_runners(int ncpu) {
  return {{"tbb-flow", [ncpu](const Shape& s, std::size_t n) { return run_tbb(ncpu, s, n); }}};
}

}  // namespace tessera::bench
