// docs/api.md, "Throttling": a producer of many small tasks in bounded memory; submit()
// waits while 256 tasks are unfinished.

#include <algorithm>
#include <cstdio>
#include <vector>

#include <tessera/tessera.hpp>

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(2).with_max_submitted(256)};
  std::vector<long> sums(16, 0);
  std::vector<tessera::VectorHandle> cells;
  for (long& s : sums) cells.push_back(rt.register_vector(std::span(&s, 1)));
  tessera::Codelet add("add");
  add.cpu([](tessera::TaskContext& ctx) { ctx.vector<long>(0)[0] += ctx.arg<long>(0); });

  std::int64_t most_unfinished = 0;
  for (long i = 0; i < 100000; ++i) {
    rt.submit(add, {{cells[static_cast<std::size_t>(i % 16)], tessera::RW}}, i);
    most_unfinished = std::max(most_unfinished, rt.unfinished_tasks());
  }
  rt.wait_all();
  for (auto& c : cells) rt.unregister(c);
  long total = 0;
  for (long s : sums) total += s;
  std::printf("100000 tasks, at most %lld unfinished at once, total %ld\n",
              static_cast<long long>(most_unfinished), total);
  return most_unfinished <= 256 && total == 4999950000L ? 0 : 1;
}
