// TaskView: the policies' read access to tasks.

#include "data_state.hpp"
#include "task_state.hpp"
#include "tessera/policy.hpp"

namespace tessera {

namespace detail {

Footprint footprint_of(const Task& task) {
  boost::container::small_vector<DataLayout, 4> layouts;
  for (const TaskAccess& a : task.accesses) layouts.push_back(a.layout);
  const TaskShape shape{std::span<const DataLayout>(layouts.data(), layouts.size()), &task.args};
  return task.codelet->footprint ? task.codelet->footprint(shape) : default_footprint(shape);
}

}  // namespace detail

std::uint64_t TaskView::id() const {
  return task_->id;
}
std::string_view TaskView::name() const {
  return task_->display_name();
}
std::string_view TaskView::codelet_name() const {
  return task_->codelet->name;
}
int TaskView::priority() const {
  return task_->priority;
}
bool TaskView::can_run_on(Arch arch) const {
  return (task_->runnable_archs & (1u << index_of(arch))) != 0;
}
bool TaskView::is_external() const {
  return task_->is_external;
}
Footprint TaskView::footprint() const {
  return task_->codelet->model ? task_->footprint : detail::footprint_of(*task_);
}
double TaskView::flops() const {
  return task_->flops;
}
std::size_t TaskView::num_accesses() const {
  return task_->accesses.size();
}
PolicySlot& TaskView::slot() const {
  return task_->slot;
}

AccessView TaskView::access(std::size_t index) const {
  const detail::TaskAccess& a = task_->accesses.at(index);
  return {a.data_id, a.mode, a.layout, a.identity};
}

void TaskView::for_each_successor(const std::function<void(TaskView)>& fn) const {
  boost::container::small_vector<detail::Task*, 8> copy;
  {
    std::lock_guard lock(task_->lock);
    copy.assign(task_->successors.begin(), task_->successors.end());
  }
  for (detail::Task* t : copy) fn(TaskView(t));
}

void TaskView::for_each_predecessor(const std::function<void(TaskView)>& fn) const {
  // Predecessors only change while the task is being submitted, or at its completion.
  for (detail::Task* t : task_->predecessors) fn(TaskView(t));
}

std::vector<TaskView> TaskView::successors() const {
  std::vector<TaskView> out;
  for_each_successor([&](TaskView t) { out.push_back(t); });
  return out;
}

std::vector<TaskView> TaskView::predecessors() const {
  std::vector<TaskView> out;
  for_each_predecessor([&](TaskView t) { out.push_back(t); });
  return out;
}

}  // namespace tessera
