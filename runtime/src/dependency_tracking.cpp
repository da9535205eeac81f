#include "dependency_tracking.hpp"

#include <algorithm>
#include <mutex>
#include <utility>
#include <vector>

#include "data_state.hpp"
#include "task_state.hpp"

namespace tessera::detail {
namespace {

void release_all(std::vector<Task*>& tasks) {
  for (Task* t : tasks) release(t);
  tasks.clear();
}

void append_retained(TaskList& out, const std::vector<Task*>& tasks) {
  for (Task* t : tasks) out.push_back(retained(t));
}

bool is_done(const Task* t) {
  return (t->state.load(std::memory_order_acquire) & kTaskDone) != 0;
}

// Drops finished readers now and then, so a handle read by millions of tasks between two
// writes does not keep them all alive.
void prune_finished(std::vector<Task*>& tasks) {
  if (tasks.size() < 64 || (tasks.size() & (tasks.size() - 1)) != 0) return;
  auto keep = std::partition(tasks.begin(), tasks.end(), [](Task* t) { return !is_done(t); });
  for (auto it = keep; it != tasks.end(); ++it) release(*it);
  tasks.erase(keep, tasks.end());
}

// The rule for one access of `task` on a data handle; appends the tasks it must wait for
// (retained) to `preds`.
void track_access(DependencyState& s, Task* task, Access mode, TaskList& preds) {
  if (is_scratch(mode)) return;
  if (is_commute(mode)) {
    if (s.commuters.empty()) {
      // A new commuting group waits for the readers since the last write, or that write.
      if (s.readers.empty()) {
        s.commute_preds = std::move(s.writers);
      } else {
        s.commute_preds = std::move(s.readers);
        release_all(s.writers);  // the readers already wait for them
      }
      s.writers.clear();
      s.readers.clear();
    }
    append_retained(preds, s.commute_preds);
    s.commuters.push_back(retained(task));
    return;
  }
  if (writes(mode)) {
    const std::vector<Task*>& before =
        !s.commuters.empty() ? s.commuters : (!s.readers.empty() ? s.readers : s.writers);
    append_retained(preds, before);
    release_all(s.commuters);
    release_all(s.commute_preds);
    release_all(s.readers);
    release_all(s.writers);
    s.writers.push_back(retained(task));
    return;
  }
  // A read closes an open commuting group: the group becomes the last write.
  if (!s.commuters.empty()) {
    release_all(s.writers);
    release_all(s.readers);
    release_all(s.commute_preds);
    s.writers = std::move(s.commuters);
    s.commuters.clear();
  }
  append_retained(preds, s.writers);
  prune_finished(s.readers);
  s.readers.push_back(retained(task));
}

// Insertion sort: the lists sorted here have a handful of entries (std::sort's set-up costs
// more than the sort at that size).
template <class It, class Less>
void sort_small(It first, It last, Less less) {
  for (It i = first; i != last; ++i) {
    for (It j = i; j != first && less(*j, *(j - 1)); --j) std::iter_swap(j, j - 1);
  }
}

// Unlocks the handles locked so far, also when an access's rule throws.
class HandleLocks {
 public:
  void lock(SpinMutex& m) {
    m.lock();
    held_.push_back(&m);
  }
  ~HandleLocks() {
    for (SpinMutex* m : held_) m->unlock();
  }

 private:
  boost::container::small_vector<SpinMutex*, 4> held_;
};

}  // namespace

void collect_predecessors(Task& task, TaskList& preds) {
  // One entry per distinct handle, with the union of the task's modes on it.
  boost::container::small_vector<std::pair<Data*, Access>, 4> distinct;
  for (const TaskAccess& a : task.accesses) {
    auto it = std::find_if(distinct.begin(), distinct.end(),
                           [&](const auto& d) { return d.first == a.data.get(); });
    if (it == distinct.end()) {
      distinct.emplace_back(a.data.get(), a.mode);
    } else if (is_scratch(it->second) != is_scratch(a.mode)) {
      // Keep the handle's real accesses; the scratch one only needs a private buffer.
      if (is_scratch(it->second)) it->second = a.mode;
    } else {
      it->second = it->second | a.mode;
    }
  }
  const auto by_id = [](const Task* a, const Task* b) { return a->id < b->id; };
  {
    // Lock every handle in one global order (by id) so that concurrent submitters see one
    // order and cannot deadlock.
    sort_small(distinct.begin(), distinct.end(),
               [](const auto& a, const auto& b) { return a.first->id < b.first->id; });
    HandleLocks locks;
    for (auto& [data, mode] : distinct) locks.lock(data->dep_mutex);
    for (auto& [data, mode] : distinct) track_access(data->deps, &task, mode, preds);
  }
  if (preds.size() > 16) {
    std::sort(preds.begin(), preds.end(), by_id);
  } else {
    sort_small(preds.begin(), preds.end(), by_id);
  }
  // Each predecessor once: drop the extra references of duplicates.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < preds.size(); ++i) {
    if (kept > 0 && preds[kept - 1] == preds[i]) {
      release(preds[i]);
    } else {
      preds[kept++] = preds[i];
    }
  }
  preds.resize(kept);
}

}  // namespace tessera::detail
