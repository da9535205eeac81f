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
#include <cmath>
#include <csetjmp>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

// GLPK reports a fatal error (a bad value deep in its scaling, say) by calling its error
// hook and then abort(). Tessera's hook leaves by longjmp back to solve_area_program(),
// which frees GLPK's environment, as GLPK's manual prescribes after such an error, so that
// the caller gets an exception and GLPK can be used again. GLPK's terminal output goes to
// glpk_message() instead of stdout, to name the error.
std::string& glpk_message() {
  thread_local std::string message;
  return message;
}

thread_local std::jmp_buf* glpk_escape = nullptr;

extern "C" int glpk_terminal_hook(void*, const char* text) {
  glpk_message() += text;
  return 1;  // printed nowhere else
}

extern "C" void glpk_error_hook(void*) {
  if (glpk_escape != nullptr) std::longjmp(*glpk_escape, 1);
}

struct AreaProgram {
  int ngroups, nclass, columns, entries;
  const int* ia;
  const int* ja;
  const double* ar;
  double* duals;     // out: per class row
  int code, status;  // out: glp_simplex's code, the solution status
};

// Builds and solves the program in GLPK. No object with a destructor lives in this frame:
// the error hook leaves it by longjmp. False when GLPK failed (glpk_message() says why).
bool solve_area_program(AreaProgram& p) {
  std::jmp_buf escape;
  glp_prob* lp = nullptr;
  glpk_escape = &escape;
  glp_term_hook(glpk_terminal_hook, nullptr);
  glp_error_hook(glpk_error_hook, nullptr);
  if (setjmp(escape) != 0) {
    glpk_escape = nullptr;
    glp_free_env();  // frees lp too; the next GLPK call starts a fresh environment
    return false;
  }
  lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MIN);
  glp_add_rows(lp, p.ngroups + p.nclass);
  for (int r = 1; r <= p.ngroups; ++r) glp_set_row_bnds(lp, r, GLP_FX, 1.0, 1.0);
  for (int c = 0; c < p.nclass; ++c) glp_set_row_bnds(lp, p.ngroups + 1 + c, GLP_UP, 0.0, 0.0);
  // Column 1: T. Then one column per (group, class) pair the group can run on: the
  // fraction of the group's work given to that class.
  glp_add_cols(lp, 1 + p.columns);
  for (int col = 1; col <= 1 + p.columns; ++col) glp_set_col_bnds(lp, col, GLP_LO, 0.0, 0.0);
  glp_set_obj_coef(lp, 1, 1.0);
  glp_load_matrix(lp, p.entries, p.ia, p.ja, p.ar);
  glp_smcp parm;
  glp_init_smcp(&parm);
  parm.msg_lev = GLP_MSG_OFF;
  glp_scale_prob(lp, GLP_SF_AUTO);  // costs span microseconds to seconds
  p.code = glp_simplex(lp, &parm);
  p.status = glp_get_status(lp);
  for (int c = 0; c < p.nclass; ++c) p.duals[c] = glp_get_row_dual(lp, p.ngroups + 1 + c);
  glp_delete_prob(lp);
  glpk_escape = nullptr;
  glp_error_hook(nullptr, nullptr);
  glp_term_hook(nullptr, nullptr);
  return true;
}

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

  // The program's matrix, built before GLPK is called (see solve_area_program()).
  const int ngroups = static_cast<int>(groups.size());
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0.0};
  std::vector<int> column_row;  // per (group, class) column: its group's row
  for (int c = 0; c < nclass; ++c) {
    ia.push_back(ngroups + 1 + c);
    ja.push_back(1);
    ar.push_back(-static_cast<double>(classes[static_cast<std::size_t>(c)].count));
  }
  int row = 1;
  for (const auto& [key, work] : groups) {
    for (int c = 0; c < nclass; ++c) {
      if (key[static_cast<std::size_t>(c)] < 0) continue;
      const double w = work[static_cast<std::size_t>(c)];
      if (!std::isfinite(w)) {
        throw InvalidArgument("the summed task costs overflow (a task cost near " +
                              std::to_string(key[static_cast<std::size_t>(c)]) +
                              " us?): no lower bound can be computed");
      }
      column_row.push_back(row);
      const int col = static_cast<int>(column_row.size()) + 1;
      ia.push_back(row);
      ja.push_back(col);
      ar.push_back(1.0);
      ia.push_back(ngroups + 1 + c);
      ja.push_back(col);
      ar.push_back(w);
    }
    ++row;
  }
  std::vector<double> duals(static_cast<std::size_t>(nclass), 0.0);
  AreaProgram program{ngroups,
                      nclass,
                      static_cast<int>(column_row.size()),
                      static_cast<int>(ia.size()) - 1,
                      ia.data(),
                      ja.data(),
                      ar.data(),
                      duals.data(),
                      0,
                      0};
  {
    // GLPK keeps an environment per process (or per thread, depending on how it was built):
    // one program at a time.
    static std::mutex glpk_mutex;
    std::lock_guard glpk_lock(glpk_mutex);
    glpk_message().clear();
    if (!solve_area_program(program)) program.code = -1;  // a GLPK error: see below
  }
  if (program.code != 0 || program.status != GLP_OPT) {
    // Costs that span many orders of magnitude (1e15 us next to 1e2 us) can defeat the
    // simplex's tolerances. Any non-negative weights with sum(weight x workers) = 1 still give
    // a valid bound (weak duality): equal weights, i.e. the total of each task's fastest cost
    // spread over all workers. Weaker than the program's optimum, never wrong.
    std::size_t workers = 0;
    for (const auto& c : classes) workers += static_cast<std::size_t>(c.count);
    if (workers == 0) return std::vector<double>(classes.size(), 0.0);
    return std::vector<double>(classes.size(), 1.0 / static_cast<double>(workers));
  }
  std::vector<double> lambda(classes.size());
  double norm = 0;
  for (int c = 0; c < nclass; ++c) {
    lambda[static_cast<std::size_t>(c)] = std::max(0.0, -duals[static_cast<std::size_t>(c)]);
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
