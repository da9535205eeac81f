#pragma once
// The communication thread of a Context. Every MPI call of the distributed layer happens on
// it: it posts the non-blocking sends and receives that transfer tasks ask for, runs small
// collectives for wait_all, and polls them all with MPI_Testsome, ending each transfer task
// when its message completed. Polling backs off to short sleeps when nothing completes, so
// an idle rank costs little CPU. It also carries the abort protocol: one message to every
// other rank, after which all pending and future transfers fail instead of waiting forever.

#include <mpi.h>

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <tessera/external.hpp>

#include "tessera/mpi/context.hpp"

namespace tessera::mpi::detail {

struct AbortInfo {
  int origin = -1;
  std::string reason;
};

class CommEngine {
 public:
  // Takes ownership of `comm` (a duplicate made for the Context) and starts the thread.
  CommEngine(MPI_Comm comm, int rank, int size);
  ~CommEngine();
  CommEngine(const CommEngine&) = delete;
  CommEngine& operator=(const CommEngine&) = delete;

  // Transfer tasks, called from their on_ready: the message of access 0 of `task` to / from
  // `peer`. `task` ends when the message completes, or fails on an abort or a size mismatch.
  void send(ExternalTask task, int peer, int tag);
  void recv(ExternalTask task, int peer, int tag);
  // Gathers `bytes` bytes from every rank into `all` (size * bytes), on the comm thread.
  // Returns false, without waiting further, if the flow was aborted meanwhile.
  bool allgather(const void* mine, std::size_t bytes, void* all);

  // Stops the flow: fails every pending and future transfer; with `broadcast`, tells the
  // other ranks too (they then do the same). The first abort wins; later calls do nothing.
  void abort(int origin, const std::string& reason, bool broadcast);
  std::optional<AbortInfo> aborted() const;

  CommStats stats() const;
  void reset_stats();
  int tag_limit() const noexcept { return tag_limit_; }

 private:
  enum class Kind { send, recv, abort_recv, abort_send, collective };
  struct Op;
  struct Request;

  void enqueue(Kind kind, ExternalTask task, int peer, int tag);
  static Op op_of(Kind kind);
  static Request transfer_request(Kind kind, ExternalTask task, int peer, int tag);
  void run();
  void post(Request& request);
  bool progress();
  void complete(std::size_t index, const MPI_Status& status);
  void apply_abort();
  void cancel_all();
  static void cancel(MPI_Request& request, bool wait);
  static void deliver(MPI_Request& request);
  void post_abort_receive();

  MPI_Comm comm_;
  int rank_;
  int size_;
  int tag_limit_ = 32767;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable collective_done_;
  std::vector<Request> incoming_;  // posted by other threads, taken by the comm thread
  std::optional<AbortInfo> abort_;
  bool abort_pending_ = false;  // abort_ set, not yet applied by the comm thread
  bool broadcast_pending_ = false;
  bool stop_ = false;
  std::uint64_t collectives_done_ = 0;
  std::uint64_t collectives_posted_ = 0;
  CommStats stats_;

  // Comm thread only.
  std::vector<Op> ops_;
  std::vector<MPI_Request> requests_;
  std::vector<int> testsome_indices_;
  std::vector<MPI_Status> testsome_statuses_;
  std::vector<char> abort_in_;
  std::vector<std::vector<char>> abort_out_;

  std::thread thread_;
};

}  // namespace tessera::mpi::detail
