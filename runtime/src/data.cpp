#include "tessera/data.hpp"
#include "data_state.hpp"
#include "tessera/error.hpp"

namespace tessera {
namespace {

const detail::Data& checked(const std::shared_ptr<detail::Data>& data) {
  if (!data) throw InvalidArgument("operation on a null data handle");
  return *data;
}

}  // namespace

std::uint64_t DataHandle::id() const {
  return checked(data_).id;
}
const DataLayout& DataHandle::layout() const {
  return checked(data_).layout;
}
std::string DataHandle::name() const {
  return checked(data_).display_name();
}
bool DataHandle::registered() const {
  return checked(data_).registered.load(std::memory_order_acquire);
}

void DataHandle::set_name(std::string name) {
  checked(data_);
  std::lock_guard lock(data_->name_mutex);
  data_->name = std::move(name);
}

namespace detail {

void release(Task* task) noexcept;

void DependencyState::clear() {
  for (std::vector<Task*>* list : {&writers, &readers, &commuters, &commute_preds}) {
    for (Task* t : *list) release(t);
    list->clear();
  }
}

Data::~Data() {
  deps.clear();
}

std::string Data::display_name() const {
  std::lock_guard lock(name_mutex);
  return name.empty() ? "data#" + std::to_string(id) : name;
}

}  // namespace detail
}  // namespace tessera
