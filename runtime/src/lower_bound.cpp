// Lower bounds of a schedule.
//
// Area bound: the linear program of StarPU's starpu_bound — split the work of every task
// over the worker classes (fractions may be split) so that the busiest class finishes as
// early as possible:
//   minimise T  s.t.  sum_c y[t][c] = 1,  sum_t y[t][c] * cost[t][c] <= count[c] * T,  y >= 0.
// Any dual solution lambda >= 0 with sum_c count[c] * lambda[c] = 1 gives the valid bound
//   sum_t min_c lambda[c] * cost[t][c].
// GLPK solves the program over groups of tasks with equal mean costs (few variables); its
// dual values are then evaluated on every task's own durations, which keeps the bound
// exact without noise and valid with it.

#include "lower_bound.hpp"

#include <glpk.h>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <mutex>

#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

double critical_path(const Dag& dag, const SimCosts& costs) {
  const auto preds = dag.predecessors();
  std::vector<double> finish(dag.tasks.size(), 0.0);
  double longest = 0;
  for (std::size_t t = 0; t < dag.tasks.size(); ++t) {
    double start = 0;
    for (std::size_t p : preds[t]) start = std::max(start, finish[p]);
    finish[t] = start + costs.fastest_us(t);
    longest = std::max(longest, finish[t]);
  }
  return longest;
}

std::vector<double> area_duals(const Dag& dag, const SimCosts& costs) {
  const auto& classes = costs.classes();
  const int nclass = static_cast<int>(classes.size());
  // Groups: tasks with the same type and the same mean cost per class.
  std::map<std::vector<double>, std::vector<double>> groups;  // mean vector -> summed actual costs
  for (std::size_t t = 0; t < dag.tasks.size(); ++t) {
    std::vector<double> key(classes.size());
    for (int c = 0; c < nclass; ++c) key[static_cast<std::size_t>(c)] = costs.mean_us(t, c);
    auto& sum = groups[key];
    if (sum.empty()) sum.assign(classes.size(), 0.0);
    for (int c = 0; c < nclass; ++c) {
      if (costs.runs(t, c)) sum[static_cast<std::size_t>(c)] += costs.actual_us(t, c);
    }
  }

  // GLPK keeps an environment per process (or per thread, depending on how it was built):
  // one program at a time, and no terminal output.
  static std::mutex glpk_mutex;
  std::lock_guard glpk_lock(glpk_mutex);
  glp_term_out(GLP_OFF);
  std::unique_ptr<glp_prob, void (*)(glp_prob*)> lp(glp_create_prob(), glp_delete_prob);
  glp_set_obj_dir(lp.get(), GLP_MIN);
  const int ngroups = static_cast<int>(groups.size());
  glp_add_rows(lp.get(), ngroups + nclass);
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0.0};
  // Column 1: T. Then one column per (group, class) pair the group can run on: the
  // fraction of the group's work given to that class.
  glp_add_cols(lp.get(), 1);
  glp_set_col_bnds(lp.get(), 1, GLP_LO, 0.0, 0.0);
  glp_set_obj_coef(lp.get(), 1, 1.0);
  for (int c = 0; c < nclass; ++c) {
    glp_set_row_bnds(lp.get(), ngroups + 1 + c, GLP_UP, 0.0, 0.0);
    ia.push_back(ngroups + 1 + c);
    ja.push_back(1);
    ar.push_back(-static_cast<double>(classes[static_cast<std::size_t>(c)].count));
  }
  int row = 1;
  for (const auto& [key, work] : groups) {
    glp_set_row_bnds(lp.get(), row, GLP_FX, 1.0, 1.0);
    for (int c = 0; c < nclass; ++c) {
      if (key[static_cast<std::size_t>(c)] < 0) continue;
      const int col = glp_add_cols(lp.get(), 1);
      glp_set_col_bnds(lp.get(), col, GLP_LO, 0.0, 0.0);
      ia.push_back(row);
      ja.push_back(col);
      ar.push_back(1.0);
      ia.push_back(ngroups + 1 + c);
      ja.push_back(col);
      ar.push_back(work[static_cast<std::size_t>(c)]);
    }
    ++row;
  }
  glp_load_matrix(lp.get(), static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  glp_scale_prob(lp.get(), GLP_SF_AUTO);  // costs span microseconds to seconds
  const int code = glp_simplex(lp.get(), &parm);
  if (code != 0 || glp_get_status(lp.get()) != GLP_OPT) {
    throw Error("the area-bound linear program could not be solved (GLPK: simplex code " +
                std::to_string(code) + ", status " + std::to_string(glp_get_status(lp.get())) +
                ")");
  }
  std::vector<double> lambda(classes.size());
  double norm = 0;
  for (int c = 0; c < nclass; ++c) {
    lambda[static_cast<std::size_t>(c)] =
        std::max(0.0, -glp_get_row_dual(lp.get(), ngroups + 1 + c));
    norm += lambda[static_cast<std::size_t>(c)] * classes[static_cast<std::size_t>(c)].count;
  }
  if (norm <= 0) return std::vector<double>(classes.size(), 0.0);
  for (double& l : lambda) l /= norm;
  return lambda;
}

}  // namespace

LowerBound compute_lower_bound(const Dag& dag, const SimCosts& costs) {
  LowerBound bound;
  bound.critical_path_us = critical_path(dag, costs);
  const std::vector<double> lambda = area_duals(dag, costs);
  double area = 0;
  for (std::size_t t = 0; t < dag.tasks.size(); ++t) {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t c = 0; c < lambda.size(); ++c) {
      if (costs.runs(t, static_cast<int>(c)))
        best = std::min(best, lambda[c] * costs.actual_us(t, static_cast<int>(c)));
    }
    area += best;
  }
  bound.area_us = area;
  return bound;
}

}  // namespace tessera::detail
