#include "demo/heat_demo.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include <tessera/codelets/vector/vector_codelets.hpp>
#include <tessera/error.hpp>
#include <tessera/task_context.hpp>

namespace tessera::demo {
namespace {

// Initial temperature: a few smooth bumps, so diffusion has something to do.
double initial(std::size_t i, std::size_t n) {
  const double x = static_cast<double>(i) / static_cast<double>(n);
  return std::sin(3.0 * M_PI * x) * std::sin(3.0 * M_PI * x) + (x > 0.4 && x < 0.6 ? 1.0 : 0.0);
}

// One explicit step on one tile: out[j] = u[j] + alpha * (u[j-1] - 2 u[j] + u[j+1]),
// with the domain's ends held at 0.
void step_tile(const double* left, const double* self, const double* right, double* out,
               std::size_t len, double alpha) {
  for (std::size_t j = 0; j < len; ++j) {
    const double um = j > 0 ? self[j - 1] : (left ? *left : 0.0);
    const double up = j + 1 < len ? self[j + 1] : (right ? *right : 0.0);
    out[j] = self[j] + alpha * (um - 2.0 * self[j] + up);
  }
}

const Codelet& stencil_codelet() {
  static const Codelet codelet = [] {
    Codelet c("heat_step");
    // Buffers: 0 = own tile (R), 1 = output tile (W), then the left and/or right neighbour
    // tiles (R); arguments: alpha, has_left, has_right.
    c.cpu([](TaskContext& ctx) {
      const auto [alpha, has_left, has_right] = ctx.args().as_tuple<double, bool, bool>();
      auto self = ctx.vector<double>(0);
      auto out = ctx.vector<double>(1);
      std::size_t next = 2;
      const double* left = nullptr;
      const double* right = nullptr;
      if (has_left) {
        auto l = ctx.vector<double>(next++);
        left = &l[l.size() - 1];
      }
      if (has_right) right = &ctx.vector<double>(next)[0];
      step_tile(left, self.data(), right, out.data(), self.size(), alpha);
    });
    c.flops([](const TaskShape& s) { return 4.0 * static_cast<double>(s.layouts[0].rows); });
    return c;
  }();
  return codelet;
}

std::vector<std::size_t> tile_bounds(std::size_t points, std::size_t tiles) {
  std::vector<std::size_t> bounds(tiles + 1);
  for (std::size_t t = 0; t <= tiles; ++t) bounds[t] = points * t / tiles;
  return bounds;
}

// Pairwise reduction of `values` in the same tree order as the task graph.
double tree_sum(std::vector<double> values) {
  while (values.size() > 1) {
    std::vector<double> next;
    for (std::size_t i = 0; i + 1 < values.size(); i += 2)
      next.push_back(values[i] + values[i + 1]);
    if (values.size() % 2 == 1) next.push_back(values.back());
    values = std::move(next);
  }
  return values.empty() ? 0.0 : values[0];
}

struct Reference {
  std::vector<double> field;
  double total = 0.0;
};

Reference sequential_reference(const HeatOptions& o, const std::vector<std::size_t>& bounds) {
  std::vector<double> u(o.points), v(o.points);
  for (std::size_t i = 0; i < o.points; ++i) u[i] = initial(i, o.points);
  for (int s = 0; s < o.steps; ++s) {
    for (std::size_t t = 0; t < o.tiles; ++t) {
      const std::size_t b = bounds[t], e = bounds[t + 1];
      step_tile(t > 0 ? &u[b - 1] : nullptr, &u[b], t + 1 < o.tiles ? &u[e] : nullptr, &v[b], e - b,
                o.alpha);
    }
    std::swap(u, v);
  }
  std::vector<double> partial(o.tiles);
  for (std::size_t t = 0; t < o.tiles; ++t) {
    double total = 0.0;
    for (std::size_t i = bounds[t]; i < bounds[t + 1]; ++i) total += u[i];
    partial[t] = total;
  }
  const double total = tree_sum(std::move(partial));
  return {std::move(u), total};
}

}  // namespace

void validate(const HeatOptions& o) {
  if (o.points == 0) throw InvalidArgument("run-demo: --points must be positive");
  if (o.tiles == 0) throw InvalidArgument("run-demo: --tiles must be positive");
  if (o.tiles > o.points) {
    throw InvalidArgument("run-demo: --tiles " + std::to_string(o.tiles) + " exceeds --points " +
                          std::to_string(o.points));
  }
  if (o.steps < 0) throw InvalidArgument("run-demo: --steps must not be negative");
  if (!(o.alpha > 0.0 && o.alpha <= 0.5)) {
    throw InvalidArgument("run-demo: --alpha must be in (0, 0.5] for a stable explicit scheme");
  }
}

HeatResult run_heat(Runtime& rt, const HeatOptions& o) {
  validate(o);
  const auto bounds = tile_bounds(o.points, o.tiles);
  std::vector<double> u(o.points), v(o.points);
  for (std::size_t i = 0; i < o.points; ++i) u[i] = initial(i, o.points);
  std::vector<double> partial(2 * o.tiles);  // tile sums, then the reduction tree's nodes

  HeatResult result;
  const auto start = std::chrono::steady_clock::now();
  std::vector<VectorHandle> a, b;
  for (std::size_t t = 0; t < o.tiles; ++t) {
    a.push_back(rt.register_vector(std::span(&u[bounds[t]], bounds[t + 1] - bounds[t])));
    b.push_back(rt.register_vector(std::span(&v[bounds[t]], bounds[t + 1] - bounds[t])));
  }
  for (int s = 0; s < o.steps; ++s) {
    auto& src = s % 2 == 0 ? a : b;
    auto& dst = s % 2 == 0 ? b : a;
    for (std::size_t t = 0; t < o.tiles; ++t) {
      TaskBuilder task = rt.task(stencil_codelet());
      task.read(src[t]).write(dst[t]);
      if (t > 0) task.read(src[t - 1]);
      if (t + 1 < o.tiles) task.read(src[t + 1]);
      task.args(o.alpha, t > 0, t + 1 < o.tiles).submit();
      ++result.tasks;
    }
  }
  auto& final_tiles = o.steps % 2 == 0 ? a : b;
  std::vector<VectorHandle> level, sums;
  for (std::size_t t = 0; t < o.tiles; ++t) {
    level.push_back(rt.register_vector(std::span(&partial[t], 1)));
    sums.push_back(level.back());
    rt.submit(codelets::vector_sum(), {{final_tiles[t], R}, {level.back(), W}});
    ++result.tasks;
  }
  std::size_t next_slot = o.tiles;
  while (level.size() > 1) {
    std::vector<VectorHandle> next;
    for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
      next.push_back(rt.register_vector(std::span(&partial[next_slot++], 1)));
      sums.push_back(next.back());
      rt.submit(codelets::vector_add(), {{level[i], R}, {level[i + 1], R}, {next.back(), W}});
      ++result.tasks;
    }
    if (level.size() % 2 == 1) next.push_back(level.back());
    level = std::move(next);
  }
  rt.wait_all();
  for (auto& h : a) rt.unregister(h);
  for (auto& h : b) rt.unregister(h);
  for (auto& h : sums) rt.unregister(h);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.total = partial[o.tiles == 1 ? 0 : next_slot - 1];

  const Reference ref = sequential_reference(o, bounds);
  const std::vector<double>& field = o.steps % 2 == 0 ? u : v;
  for (std::size_t i = 0; i < o.points; ++i) {
    result.max_abs_diff = std::max(result.max_abs_diff, std::abs(field[i] - ref.field[i]));
  }
  result.reference = ref.total;
  // Same arithmetic in the same order: the graph must agree bit for bit.
  result.ok = result.max_abs_diff == 0.0 && result.total == result.reference;
  return result;
}

}  // namespace tessera::demo
