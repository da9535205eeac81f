#include "tessera/mpi/context.hpp"

#include <algorithm>
#include <cstring>
#include <exception>

#include "flow_state.hpp"

namespace tessera::mpi {
namespace {

// What each rank contributes to wait_all's first exchange: a summary of its flow.
struct FlowSummary {
  std::uint64_t data = 0;
  std::uint64_t registrations = 0;
  std::uint64_t tasks = 0;
  std::uint64_t task_hash = 0;
};

// And to the second: whether its part of the flow succeeded.
struct Outcome {
  std::int32_t failed = 0;
  std::int32_t origin = -1;
  char reason[504] = {};
};

}  // namespace

// ------------------------------------------------------------------------- DistTaskBuilder

DistTaskBuilder::DistTaskBuilder(Context& context, const Codelet& codelet)
    : context_(context), codelet_(codelet), name_(codelet.name()) {}

DistTaskBuilder& DistTaskBuilder::access(const DataHandle& data, Access mode) {
  if (!data) throw InvalidArgument("task '" + name_ + "': null data handle");
  accesses_.push_back({data, mode});
  return *this;
}

DistTaskBuilder& DistTaskBuilder::priority(int value) {
  priority_ = value;
  return *this;
}

DistTaskBuilder& DistTaskBuilder::name(std::string value) {
  name_ = std::move(value);
  return *this;
}

DistTaskBuilder& DistTaskBuilder::on_rank(int rank) {
  if (rank < 0 || rank >= context_.size()) {
    throw InvalidArgument("task '" + name_ + "': on_rank(" + std::to_string(rank) +
                          ") is not a rank of this " + std::to_string(context_.size()) +
                          "-rank communicator");
  }
  rank_ = rank;
  return *this;
}

TaskHandle DistTaskBuilder::submit() {
  return context_.submit(*this);
}

// --------------------------------------------------------------------------------- Context

Context::Context(Runtime& runtime, MPI_Comm comm) : runtime_(runtime) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised)
    throw Error("mpi::Context: MPI is not initialised (create a tessera::mpi::Environment first)");
  MPI_Comm own = MPI_COMM_NULL;
  MPI_Comm_dup(comm, &own);
  MPI_Comm_rank(own, &rank_);
  MPI_Comm_size(own, &size_);
  flow_ = std::make_unique<detail::FlowState>(own, rank_, size_);
  // A task that fails here stops the flow on every rank at once, instead of leaving the
  // ranks that wait for its results blocked until wait_all.
  detail::CommEngine* engine = &flow_->comm;
  const int rank = rank_;
  runtime_.on_task_failure([engine, rank](std::exception_ptr error) {
    engine->abort(rank, "rank " + std::to_string(rank) + ": " + message_of(error), true);
  });
}

Context::~Context() {
  if (std::uncaught_exceptions() > 0 && !flow_->comm.aborted()) {
    flow_->comm.abort(rank_,
                      "rank " + std::to_string(rank_) +
                          " left the task flow: an exception ended it before wait_all",
                      true);
  }
  try {
    runtime_.wait_all();
  } catch (...) {  // NOLINT(bugprone-empty-catch): reported by wait_all already, or unwinding
  }
  runtime_.on_task_failure({});
}

void Context::register_data(const DataHandle& local, int owner) {
  if (!local) throw InvalidArgument("mpi::Context::register_data: null data handle");
  if (owner < 0 || owner >= size_) {
    throw InvalidArgument("mpi::Context::register_data: owner " + std::to_string(owner) + " of '" +
                          local.name() + "' is not a rank of this " + std::to_string(size_) +
                          "-rank communicator");
  }
  auto& flow = *flow_;
  if (!flow.index.emplace(local.get(), flow.data.size()).second) {
    throw InvalidArgument("mpi::Context::register_data: '" + local.name() +
                          "' is registered already");
  }
  detail::DistributedDatum datum;
  datum.local = local;
  datum.owner = owner;
  datum.held.assign(static_cast<std::size_t>(size_), detail::DistributedDatum::kNone);
  datum.held[static_cast<std::size_t>(owner)] = 0;
  flow.data.push_back(std::move(datum));
  const DataLayout& layout = local.layout();
  flow.registrations.add(static_cast<std::uint64_t>(owner));
  flow.registrations.add(static_cast<std::uint64_t>(layout.kind));
  flow.registrations.add(layout.bytes());
}

int Context::owner_of(const DataHandle& data) const {
  const auto it = flow_->index.find(data.get());
  if (it == flow_->index.end()) {
    throw InvalidArgument("'" + data.name() + "' is not registered with the mpi::Context");
  }
  return flow_->data[it->second].owner;
}

namespace {

// Posts the transfer of `datum`'s current version from rank `from` to rank `to`: a send
// task on `from` and a receive task on `to`, ordered by the local graphs after the writer
// and before the readers of that version.
void transfer(detail::FlowState& flow, Runtime& runtime, detail::DistributedDatum& datum, int from,
              int to) {
  const int tag = static_cast<int>(1 + flow.transfers++ %
                                           static_cast<std::uint64_t>(flow.comm.tag_limit() - 1));
  datum.held[static_cast<std::size_t>(to)] = datum.version;
  detail::CommEngine* comm = &flow.comm;
  const std::string what = datum.local.name() + " v" + std::to_string(datum.version);
  if (flow.rank() == from) {
    runtime.external_task("send " + what + " to rank " + std::to_string(to))
        .access(datum.local, Access::R)
        .on_ready([comm, to, tag](ExternalTask task) { comm->send(task, to, tag); })
        .submit();
  } else if (flow.rank() == to) {
    runtime.external_task("recv " + what + " from rank " + std::to_string(from))
        .access(datum.local, Access::W)
        .on_ready([comm, from, tag](ExternalTask task) { comm->recv(task, from, tag); })
        .submit();
  }
}

}  // namespace

TaskHandle Context::submit(DistTaskBuilder& b) {
  auto& flow = *flow_;
  if (const auto aborted = flow.comm.aborted())
    throw DistributedError(aborted->reason, aborted->origin);
  // Resolve the data and the executing rank.
  std::vector<detail::DistributedDatum*> data(b.accesses_.size(), nullptr);
  int exec = b.rank_;
  for (std::size_t i = 0; i < b.accesses_.size(); ++i) {
    const DataAccess& a = b.accesses_[i];
    if (a.mode == Access::SCRATCH) continue;
    const auto it = flow.index.find(a.data.get());
    if (it == flow.index.end()) {
      throw InvalidArgument("task '" + b.name_ + "': '" + a.data.name() +
                            "' is not registered with the mpi::Context (see register_data)");
    }
    data[i] = &flow.data[it->second];
    if (exec < 0 && writes(a.mode)) exec = data[i]->owner;
  }
  if (exec < 0) {
    const auto first = std::find_if(data.begin(), data.end(), [](auto* d) { return d != nullptr; });
    exec = first == data.end() ? 0 : (*first)->owner;
  }
  flow.tasks.add(b.codelet_.name());
  flow.tasks.add(static_cast<std::uint64_t>(exec));
  for (std::size_t i = 0; i < data.size(); ++i) {
    // The datum's registration index (its position in flow.data), the same on every rank.
    flow.tasks.add(data[i] ? static_cast<std::uint64_t>(data[i] - flow.data.data())
                           : detail::DistributedDatum::kNone);
    flow.tasks.add(static_cast<std::uint64_t>(b.accesses_[i].mode));
  }
  ++flow.task_count;
  // Bring what the task reads to the executing rank (the owner always holds the current
  // version: data written elsewhere are sent back to it).
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!data[i] || !reads(b.accesses_[i].mode)) continue;
    auto& d = *data[i];
    if (d.held[static_cast<std::size_t>(exec)] != d.version)
      transfer(flow, runtime_, d, d.owner, exec);
  }
  TaskHandle handle;
  if (exec == rank_) {
    TaskBuilder task = runtime_.task(b.codelet_);
    for (const DataAccess& a : b.accesses_) task.access(a.data, a.mode);
    task.priority(b.priority_).name(b.name_).set_args(std::move(b.args_));
    handle = task.submit();
  }
  std::vector<const detail::DistributedDatum*> written;
  for (std::size_t i = 0; i < data.size(); ++i) {
    if (!data[i] || !writes(b.accesses_[i].mode)) continue;
    auto& d = *data[i];
    if (std::find(written.begin(), written.end(), &d) != written.end()) continue;  // listed twice
    written.push_back(&d);
    ++d.version;
    d.held[static_cast<std::size_t>(exec)] = d.version;
    if (exec != d.owner) transfer(flow, runtime_, d, exec, d.owner);
  }
  return handle;
}

void Context::fetch(const DataHandle& data, int rank) {
  auto& flow = *flow_;
  if (const auto aborted = flow.comm.aborted())
    throw DistributedError(aborted->reason, aborted->origin);
  if (rank < 0 || rank >= size_) {
    throw InvalidArgument("mpi::Context::fetch: " + std::to_string(rank) +
                          " is not a rank of this " + std::to_string(size_) + "-rank communicator");
  }
  const auto it = flow.index.find(data.get());
  if (it == flow.index.end()) {
    throw InvalidArgument("mpi::Context::fetch: '" + data.name() +
                          "' is not registered with the mpi::Context");
  }
  auto& d = flow.data[it->second];
  flow.tasks.add("fetch");
  flow.tasks.add(it->second);
  flow.tasks.add(static_cast<std::uint64_t>(rank));
  if (d.held[static_cast<std::size_t>(rank)] != d.version)
    transfer(flow, runtime_, d, d.owner, rank);
}

void Context::throw_if_aborted_or(const std::string& message) {
  // Every local task must be over before the error leaves: transfers already failed.
  try {
    runtime_.wait_all();
  } catch (...) {  // NOLINT(bugprone-empty-catch): the abort reason below says more
  }
  if (const auto aborted = flow_->comm.aborted()) {
    throw DistributedError(aborted->reason + " (the task flow was stopped on every rank)",
                           aborted->origin);
  }
  throw DistributedError(message, -1);
}

void Context::wait_all() {
  auto& flow = *flow_;
  if (flow.comm.aborted()) throw_if_aborted_or("");
  // 1. Do all ranks agree on the flow? Checked before waiting, since ranks whose flows
  //    differ may wait for messages that no rank will send.
  const FlowSummary mine{flow.data.size(), flow.registrations.hash(), flow.task_count,
                         flow.tasks.hash()};
  std::vector<FlowSummary> all(static_cast<std::size_t>(size_));
  if (!flow.comm.allgather(&mine, sizeof mine, all.data())) throw_if_aborted_or("");
  for (int r = 0; r < size_; ++r) {
    const FlowSummary& other = all[static_cast<std::size_t>(r)];
    if (other.data != all[0].data || other.registrations != all[0].registrations) {
      const std::string message =
          "the ranks registered different data: rank 0 registered " + std::to_string(all[0].data) +
          ", rank " + std::to_string(r) + " " + std::to_string(other.data) +
          " (every rank must register the same data, owners and sizes, in the same order)";
      flow.comm.abort(-1, message, false);
      throw_if_aborted_or(message);
    }
    if (other.tasks != all[0].tasks || other.task_hash != all[0].task_hash) {
      const std::string message =
          "the ranks submitted different task flows: rank 0 submitted " +
          std::to_string(all[0].tasks) + " tasks, rank " + std::to_string(r) + " " +
          std::to_string(other.tasks) +
          (other.tasks == all[0].tasks ? " with different codelets, data or modes" : "") +
          " (every rank must submit the same tasks in the same order)";
      flow.comm.abort(-1, message, false);
      throw_if_aborted_or(message);
    }
  }
  // 2. Run the local part, then agree on the outcome, so that every rank reports a failure
  //    even where its own part succeeded.
  try {
    runtime_.wait_all();
  } catch (const std::exception& e) {
    flow.comm.abort(rank_, "rank " + std::to_string(rank_) + ": " + e.what(), true);
  }
  Outcome outcome;
  if (const auto aborted = flow.comm.aborted()) {
    outcome.failed = 1;
    outcome.origin = aborted->origin;
    std::strncpy(outcome.reason, aborted->reason.c_str(), sizeof outcome.reason - 1);
  }
  std::vector<Outcome> outcomes(static_cast<std::size_t>(size_));
  if (!flow.comm.allgather(&outcome, sizeof outcome, outcomes.data())) throw_if_aborted_or("");
  for (const Outcome& o : outcomes) {
    if (!o.failed) continue;
    flow.comm.abort(o.origin, o.reason, false);
    throw_if_aborted_or(o.reason);
  }
}

CommStats Context::stats() const {
  return flow_->comm.stats();
}

void Context::reset_stats() {
  flow_->comm.reset_stats();
}

std::vector<CommStats> Context::gather_stats() {
  const CommStats mine = stats();
  std::vector<CommStats> all(static_cast<std::size_t>(size_));
  if (!flow_->comm.allgather(&mine, sizeof mine, all.data())) throw_if_aborted_or("");
  return all;
}

}  // namespace tessera::mpi
