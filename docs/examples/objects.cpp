// docs/api.md, "Objects as data": a C++ object (here a vocabulary) written and read by
// tasks in dependency order, holding an output whose size is known only when its task runs.

#include <cstdio>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <tessera/tessera.hpp>

using Counts = std::map<std::string, int>;

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(2)};
  const std::vector<std::string> lines = {"the cat sat", "the dog sat", "a cat ran"};
  auto counts = std::make_shared<Counts>();
  tessera::ObjectHandle<Counts> hcounts = rt.register_object(counts);

  tessera::Codelet count("count");
  count.cpu([](tessera::TaskContext& ctx) {
    std::istringstream words(ctx.arg<std::string>(0));
    for (std::string w; words >> w;) ++ctx.object<Counts>(0)[w];
  });
  tessera::Codelet report("report");
  report.cpu([](tessera::TaskContext& ctx) {
    std::printf("%zu distinct words, 'cat' %d times\n", ctx.object<Counts>(0).size(),
                ctx.object<Counts>(0).at("cat"));
  });
  // Commuting writers: one at a time, in any order; the reader waits for all of them.
  for (const std::string& line : lines)
    rt.submit(count, {{hcounts, tessera::RW | tessera::COMMUTE}}, line);
  rt.submit(report, {{hcounts, tessera::R}});
  rt.wait_all();
  rt.unregister(hcounts);
  return counts->size() == 6 ? 0 : 1;
}
