// prio: one central queue ordered by task priority (highest first), submission order
// among equal priorities.

#include <mutex>
#include <set>
#include <tuple>

#include "common/locked_deque.hpp"

namespace tessera::sched {
namespace {

class PrioPolicy final : public Policy {
 public:
  explicit PrioPolicy(const PolicyOptions& options) { options.expect_only("prio", {}); }
  std::string_view name() const override { return "prio"; }

  WorkerId push(TaskView task) override {
    std::lock_guard lock(mutex_);
    queue_.insert({-task.priority(), task.id(), task});
    return kAnyWorker;
  }
  TaskView pop(WorkerId worker) override {
        std::lock_guard lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end(); ++it) {
      if (host().can_execute(it->task, worker)) {
        TaskView task = it->task;
        queue_.erase(it);
        return task;
      }
    }
    return {};
  }

 private:
  struct Entry {
    int neg_priority;
    std::uint64_t id;
    TaskView task;
    bool operator<(const Entry& o) const {
      return std::tie(neg_priority, id) < std::tie(o.neg_priority, o.id);
    }
  };
  std::mutex mutex_;
  std::set<Entry> queue_;
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::PrioPolicy, "prio",
                        "central queue ordered by priority (highest first), then submission order")
