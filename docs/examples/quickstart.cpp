// docs/api.md, "Quick start": register data, define codelets, submit tasks, wait.
// Built and run by the test suite (ctest -L docs).

#include <cstdio>
#include <numeric>
#include <vector>

#include <tessera/tessera.hpp>

int main() {
  // A runtime with the default configuration: one CPU worker per core, policy "lws",
  // unless TESSERA_NCPU / TESSERA_SCHED say otherwise.
  tessera::Runtime rt;

  // Four tiles of a vector, each registered as its own handle.
  std::vector<double> x(4000);
  std::iota(x.begin(), x.end(), 1.0);
  std::vector<tessera::VectorHandle> tiles;
  for (int t = 0; t < 4; ++t)
    tiles.push_back(rt.register_vector(std::span(x).subspan(1000 * t, 1000)));
  std::vector<double> partial(4, 0.0);
  std::vector<tessera::VectorHandle> sums;
  for (double& p : partial) sums.push_back(rt.register_vector(std::span(&p, 1)));

  // A codelet is a named operation with one implementation per architecture.
  tessera::Codelet scale("scale");
  scale.cpu([](tessera::TaskContext& ctx) {
    const double factor = ctx.arg<double>(0);
    for (double& v : ctx.vector<double>(0)) v *= factor;
  });
  tessera::Codelet sum("sum");
  sum.cpu([](tessera::TaskContext& ctx) {
    double total = 0.0;
    for (double v : ctx.vector<double>(0)) total += v;
    ctx.vector<double>(1)[0] = total;
  });

  // Dependencies follow from the access modes, in submission order: each sum (R on a tile)
  // waits for the scale (RW) of the same tile; the four tiles proceed in parallel.
  for (int t = 0; t < 4; ++t) {
    rt.submit(scale, {{tiles[t], tessera::RW}}, 2.0);
    rt.task(sum)
        .read(tiles[t])
        .write(sums[t])
        .name("sum of tile " + std::to_string(t))
        .priority(1)
        .submit();
  }
  rt.wait_all();

  // Unregistering hands the buffers back: they hold the final values.
  for (auto& h : tiles) rt.unregister(h);
  for (auto& h : sums) rt.unregister(h);
  const double total = std::accumulate(partial.begin(), partial.end(), 0.0);
  const double expected = 2.0 * 4000.0 * 4001.0 / 2.0;
  std::printf("total %.1f, expected %.1f: %s\n", total, expected,
              total == expected ? "OK" : "WRONG");
  return total == expected ? 0 : 1;
}
