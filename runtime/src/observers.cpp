#include "observers.hpp"

#include <algorithm>
#include <cstdio>
#include <exception>

#include "tessera/error.hpp"

namespace tessera::detail {
namespace {

template <class Call>
void call_each(const std::vector<std::shared_ptr<TaskObserver>>& list, const TaskEvent& event,
               Call&& call) {
  for (const auto& observer : list) {
    try {
      call(*observer, event);
    } catch (...) {
      std::fprintf(stderr, "tessera: a task observer threw on task '%.*s': %s\n",
                   static_cast<int>(event.name.size()), event.name.data(),
                   message_of(std::current_exception()).c_str());
    }
  }
}

}  // namespace

void ObserverList::add(std::shared_ptr<TaskObserver> observer) {
  if (!observer) throw InvalidArgument("add_observer: null observer");
  std::lock_guard lock(writers_);
  auto next = std::make_shared<List>(*list_.load());
  next->push_back(std::move(observer));
  count_.store(static_cast<int>(next->size()), std::memory_order_relaxed);
  list_.store(std::move(next));
}

void ObserverList::remove(const std::shared_ptr<TaskObserver>& observer) {
  std::lock_guard lock(writers_);
  auto next = std::make_shared<List>(*list_.load());
  next->erase(std::remove(next->begin(), next->end(), observer), next->end());
  count_.store(static_cast<int>(next->size()), std::memory_order_relaxed);
  list_.store(std::move(next));
}

void ObserverList::started(const TaskEvent& event) const {
  if (empty()) return;
  call_each(*list_.load(), event, [](TaskObserver& o, const TaskEvent& e) { o.on_task_start(e); });
}

void ObserverList::ended(const TaskEvent& event) const {
  if (empty()) return;
  call_each(*list_.load(), event, [](TaskObserver& o, const TaskEvent& e) { o.on_task_end(e); });
}

}  // namespace tessera::detail
