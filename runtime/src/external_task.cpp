#include <string>

#include "data_state.hpp"
#include "engine.hpp"
#include "task_state.hpp"
#include "tessera/error.hpp"
#include "tessera/external.hpp"

namespace tessera {
namespace {

const detail::TaskAccess& access_of(const detail::Task& task, std::size_t i) {
  if (i >= task.accesses.size()) {
    throw InvalidArgument("external task '" + std::string(task.display_name()) + "': no access " +
                          std::to_string(i) + " (it has " + std::to_string(task.accesses.size()) +
                          ")");
  }
  return task.accesses[i];
}

}  // namespace

void* ExternalTask::data(std::size_t access) const {
  return access_of(*task_, access).data->host_ptr;
}

const DataLayout& ExternalTask::layout(std::size_t access) const {
  return access_of(*task_, access).data->layout;
}

std::string_view ExternalTask::name() const {
  return task_->display_name();
}

void ExternalTask::done() const {
  task_->engine->finish_external(task_, nullptr);
}

void ExternalTask::fail(std::exception_ptr error) const {
  task_->engine->finish_external(task_, error ? error : std::make_exception_ptr(Error("failed")));
}

}  // namespace tessera
