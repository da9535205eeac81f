#pragma once
// Context: Tessera's sequential task flow across the ranks of an MPI communicator.
//
// Every rank registers the same data in the same order and submits the same tasks in the
// same order (the program is written once, as for one node). Each datum has an owner rank
// that holds its current value. A task runs on one rank: by default the owner of the first
// datum it writes ("owner computes"), or the rank given with on_rank(). The context posts
// the transfers the task needs: the owner sends the current version of each datum the task
// reads to the executing rank, which keeps it as a cached copy until the owner writes a new
// version; a datum written away from its owner is sent back to the owner after the task.
// Transfers are tasks of the local graph, so they overlap with computation, and a
// communication thread progresses them with non-blocking MPI calls.
//
//   tessera::mpi::Environment env(argc, argv);
//   tessera::Runtime rt;
//   tessera::mpi::Context ctx(rt);
//   ctx.register_data(rt.register_vector(std::span(x)), /*owner=*/0);
//   ctx.register_data(rt.register_vector(std::span(y)), /*owner=*/1);
//   ctx.task(axpy).read(hx).read_write(hy).args(2.0).submit();  // runs on rank 1
//   ctx.wait_all();
//
// Failures: if a task fails on any rank, or a rank leaves the flow (an exception unwinds
// its Context), every rank's wait_all throws DistributedError naming the rank and the cause,
// and the context cannot be used further. wait_all also checks that all ranks registered and
// submitted the same flow (a cheap checksum) and throws DistributedError on every rank if not.

#include <mpi.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <tessera/error.hpp>
#include <tessera/runtime.hpp>

namespace tessera::mpi {

// A failure that ended the distributed flow on every rank.
class DistributedError : public Error {
 public:
  DistributedError(const std::string& message, int origin_rank)
      : Error(message), origin_rank_(origin_rank) {}
  // The rank where the failure started (-1: every rank detected it, e.g. mismatched flows).
  int origin_rank() const noexcept { return origin_rank_; }

 private:
  int origin_rank_;
};

// Messages and bytes of data transfers that this rank sent and received.
struct CommStats {
  std::uint64_t messages_sent = 0;
  std::uint64_t bytes_sent = 0;
  std::uint64_t messages_received = 0;
  std::uint64_t bytes_received = 0;
};

class Context;
namespace detail {
class FlowState;
}

// Builds one task of the distributed flow (see Context::task); spent by submit().
class DistTaskBuilder {
 public:
  DistTaskBuilder(Context& context, const Codelet& codelet);
  // `data` must have been registered with Context::register_data (SCRATCH data need not).
  DistTaskBuilder& access(const DataHandle& data, Access mode);
  DistTaskBuilder& read(const DataHandle& data) { return access(data, Access::R); }
  DistTaskBuilder& write(const DataHandle& data) { return access(data, Access::W); }
  DistTaskBuilder& read_write(const DataHandle& data) { return access(data, Access::RW); }
  DistTaskBuilder& priority(int value);
  DistTaskBuilder& name(std::string value);
  // Runs the task on `rank` instead of the owner of its first written datum.
  DistTaskBuilder& on_rank(int rank);
  template <class... Args>
  DistTaskBuilder& args(Args&&... values) {
    args_ = ArgPack::make(std::forward<Args>(values)...);
    return *this;
  }
  // Submits on every rank; returns the local task where it runs here, a null handle elsewhere.
  TaskHandle submit();

 private:
  friend class Context;
  Context& context_;
  Codelet codelet_;
  std::vector<DataAccess> accesses_;
  ArgPack args_;
  std::string name_;
  int priority_ = 0;
  int rank_ = -1;
};

class Context {
 public:
  // Uses `runtime` for this rank's tasks and a duplicate of `comm` for its messages. MPI must
  // be initialised (see Environment). Collective over `comm`.
  explicit Context(Runtime& runtime, MPI_Comm comm = MPI_COMM_WORLD);
  // Waits for the local tasks, then stops the communication thread. If an exception is
  // unwinding through it, tells the other ranks to stop (their wait_all throws).
  ~Context();
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }
  Runtime& runtime() noexcept { return runtime_; }

  // Makes `local` the next distributed datum, owned by `owner`. On the owner, `local` holds
  // the datum's value; elsewhere it is the storage for received copies (register it with a
  // null pointer to let the runtime allocate it). All ranks must register the same data, in
  // the same order, with the same layout. Throws InvalidArgument for a bad owner or a handle
  // registered twice.
  void register_data(const DataHandle& local, int owner);
  int owner_of(const DataHandle& data) const;

  DistTaskBuilder task(const Codelet& codelet) { return DistTaskBuilder(*this, codelet); }
  // Makes `rank` receive the current value of `data` (no message if it has it already), e.g.
  // to gather a result on rank 0. Part of the flow: call it on every rank.
  void fetch(const DataHandle& data, int rank);

  // Waits until the flow submitted so far is done on every rank (collective). Throws
  // DistributedError on every rank if any rank failed or the ranks' flows differ.
  void wait_all();

  // This rank's transfers since the last reset.
  CommStats stats() const;
  // Every rank's stats, indexed by rank (collective).
  std::vector<CommStats> gather_stats();
  void reset_stats();

 private:
  friend class DistTaskBuilder;
  TaskHandle submit(DistTaskBuilder& builder);
  [[noreturn]] void throw_if_aborted_or(const std::string& message);

  Runtime& runtime_;
  int rank_ = 0;
  int size_ = 1;
  std::unique_ptr<detail::FlowState> flow_;
};

}  // namespace tessera::mpi
