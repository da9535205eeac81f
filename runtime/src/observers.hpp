#pragma once
// ObserverList: the runtime's task observers (observer.hpp). The list is replaced, never
// changed in place, so that workers read it without a lock; with no observer the hot path
// costs one relaxed load.

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "tessera/observer.hpp"

namespace tessera::detail {

class ObserverList {
 public:
  void add(std::shared_ptr<TaskObserver> observer);
  void remove(const std::shared_ptr<TaskObserver>& observer);
  bool empty() const noexcept { return count_.load(std::memory_order_relaxed) == 0; }
  void started(const TaskEvent& event) const;
  void ended(const TaskEvent& event) const;

 private:
  using List = std::vector<std::shared_ptr<TaskObserver>>;
  std::mutex writers_;  // one change at a time
  std::atomic<std::shared_ptr<const List>> list_{std::make_shared<const List>()};
  std::atomic<int> count_{0};
};

}  // namespace tessera::detail
