#pragma once
// The sequential-task-flow rule: which earlier tasks a newly submitted task must wait for,
// from its accesses and the dependency state of each handle it accesses (StarPU's implicit
// data dependencies). The state of each handle is updated under its lock.

#include <boost/container/small_vector.hpp>

namespace tessera::detail {

struct Task;

using TaskList = boost::container::small_vector<Task*, 8>;

// Appends to `preds` the tasks `task` must wait for, each once, retained, in submission
// order (by task id: never by address, so that every run of a program builds the same
// graph in the same order), and records `task` in the handles' dependency state.
void collect_predecessors(Task& task, TaskList& preds);

}  // namespace tessera::detail
