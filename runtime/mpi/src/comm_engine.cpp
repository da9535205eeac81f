#include "comm_engine.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstring>
#include <memory>

#include <tessera/error.hpp>

namespace tessera::mpi::detail {
namespace {

constexpr int kAbortTag = 0;
constexpr std::size_t kAbortMessageBytes = 1024;

std::string mpi_error_text(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  return std::string(text, static_cast<std::size_t>(length));
}

// An MPI datatype for a buffer of `layout`: contiguous bytes, or one block per column when
// the leading dimension leaves gaps (a tile inside a larger matrix), so no copy is needed.
struct Buffer {
  MPI_Datatype type = MPI_BYTE;
  int count = 0;
  bool derived = false;
};

Buffer buffer_for(const DataLayout& layout, std::string_view task) {
  const std::size_t column = layout.rows * layout.elem_size;
  Buffer b;
  if (layout.kind != DataKind::matrix || layout.ld == layout.rows || layout.cols <= 1) {
    if (layout.bytes() > static_cast<std::size_t>(INT_MAX)) {
      throw InvalidArgument(
          "task '" + std::string(task) + "': " + std::to_string(layout.bytes()) +
          " bytes is more than one MPI message carries here (2 GiB); use smaller tiles");
    }
    b.count = static_cast<int>(layout.bytes());
    return b;
  }
  if (column > static_cast<std::size_t>(INT_MAX) ||
      layout.cols > static_cast<std::size_t>(INT_MAX) ||
      layout.ld * layout.elem_size > static_cast<std::size_t>(INT_MAX)) {
    throw InvalidArgument("task '" + std::string(task) + "': tile too large for one MPI message");
  }
  MPI_Type_vector(static_cast<int>(layout.cols), static_cast<int>(column),
                  static_cast<int>(layout.ld * layout.elem_size), MPI_BYTE, &b.type);
  MPI_Type_commit(&b.type);
  b.count = 1;
  b.derived = true;
  return b;
}

struct Collective {
  std::vector<char> in;
  std::vector<char> out;
  bool done = false;
};

}  // namespace

struct CommEngine::Request {
  Kind kind = Kind::send;
  std::optional<ExternalTask> task;
  int peer = -1;
  int tag = 0;
  std::shared_ptr<Collective> collective;
};

struct CommEngine::Op {
  Kind kind = Kind::send;
  std::optional<ExternalTask> task;
  Buffer buffer;
  std::size_t expected_bytes = 0;
  int peer = -1;
  std::shared_ptr<Collective> collective;
  std::vector<char>* payload = nullptr;  // abort messages
};

CommEngine::Op CommEngine::op_of(Kind kind) {
  Op op;
  op.kind = kind;
  return op;
}

CommEngine::Request CommEngine::transfer_request(Kind kind, ExternalTask task, int peer, int tag) {
  Request request;
  request.kind = kind;
  request.task = task;
  request.peer = peer;
  request.tag = tag;
  return request;
}

CommEngine::CommEngine(MPI_Comm comm, int rank, int size) : comm_(comm), rank_(rank), size_(size) {
  MPI_Comm_set_errhandler(comm_, MPI_ERRORS_RETURN);
  int* tag_ub = nullptr;
  int found = 0;
  MPI_Comm_get_attr(comm_, MPI_TAG_UB, &tag_ub, &found);
  if (found && tag_ub) tag_limit_ = *tag_ub;
  abort_in_.resize(kAbortMessageBytes);
  post_abort_receive();
  thread_ = std::thread([this] { run(); });
}

CommEngine::~CommEngine() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  cancel_all();
  for (auto& op : ops_) {
    // A collective abandoned by an abort cannot be cancelled: keep its buffers alive for MPI.
    if (op.collective) new std::shared_ptr<Collective>(op.collective);  // NOLINT: deliberate leak
  }
  if (!abort_) MPI_Comm_free(&comm_);
}

void CommEngine::post_abort_receive() {
  ops_.push_back(op_of(Kind::abort_recv));
  requests_.emplace_back(MPI_REQUEST_NULL);
  MPI_Irecv(abort_in_.data(), static_cast<int>(abort_in_.size()), MPI_CHAR, MPI_ANY_SOURCE,
            kAbortTag, comm_, &requests_.back());
}

void CommEngine::send(ExternalTask task, int peer, int tag) {
  enqueue(Kind::send, task, peer, tag);
}

void CommEngine::recv(ExternalTask task, int peer, int tag) {
  enqueue(Kind::recv, task, peer, tag);
}

void CommEngine::enqueue(Kind kind, ExternalTask task, int peer, int tag) {
  std::unique_lock lock(mutex_);
  if (abort_) {
    const AbortInfo info = *abort_;
    lock.unlock();
    task.fail(std::make_exception_ptr(DistributedError(info.reason, info.origin)));
    return;
  }
  incoming_.push_back(transfer_request(kind, task, peer, tag));
  lock.unlock();
  wake_.notify_one();
}

bool CommEngine::allgather(const void* mine, std::size_t bytes, void* all) {
  auto collective = std::make_shared<Collective>();
  collective->in.assign(static_cast<const char*>(mine), static_cast<const char*>(mine) + bytes);
  collective->out.resize(bytes * static_cast<std::size_t>(size_));
  std::unique_lock lock(mutex_);
  if (abort_) return false;
  Request request;
  request.kind = Kind::collective;
  request.collective = collective;
  incoming_.push_back(std::move(request));
  wake_.notify_one();
  collective_done_.wait(lock, [&] { return collective->done || abort_.has_value(); });
  if (!collective->done) return false;
  std::memcpy(all, collective->out.data(), collective->out.size());
  return true;
}

void CommEngine::abort(int origin, const std::string& reason, bool broadcast) {
  {
    std::lock_guard lock(mutex_);
    if (abort_) return;
    abort_ = AbortInfo{origin, reason};
    abort_pending_ = true;
    broadcast_pending_ = broadcast;
  }
  wake_.notify_one();
  collective_done_.notify_all();
}

std::optional<AbortInfo> CommEngine::aborted() const {
  std::lock_guard lock(mutex_);
  return abort_;
}

CommStats CommEngine::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CommEngine::reset_stats() {
  std::lock_guard lock(mutex_);
  stats_ = {};
}

void CommEngine::run() {
  using namespace std::chrono;
  int idle_rounds = 0;
  for (;;) {
    std::vector<Request> incoming;
    bool apply = false;
    {
      std::unique_lock lock(mutex_);
      // Only the abort receive pending: nothing to poll often for (an abort waits <= 2 ms).
      if (incoming_.empty() && !abort_pending_ && !stop_ && ops_.size() <= 1) {
        wake_.wait_for(lock, milliseconds(2));
      }
      if (stop_ && incoming_.empty() && !abort_pending_) break;
      incoming.swap(incoming_);
      apply = std::exchange(abort_pending_, false);
    }
    for (Request& r : incoming) post(r);
    if (apply) apply_abort();
    if (progress() || !incoming.empty()) {
      idle_rounds = 0;
      continue;
    }
    // Backing off: yield first (a message usually completes within microseconds on one
    // node), then sleep up to 200 us so that a waiting rank leaves its core to the workers.
    if (ops_.size() > 1) {
      if (++idle_rounds < 32) {
        std::this_thread::yield();
      } else {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, microseconds(std::min(200, 5 * (idle_rounds - 31))));
      }
    }
  }
}

void CommEngine::post(Request& r) {
  Op op;
  op.kind = r.kind;
  op.task = r.task;
  op.peer = r.peer;
  op.collective = r.collective;
  MPI_Request request = MPI_REQUEST_NULL;
  int rc = MPI_SUCCESS;
  if (r.kind == Kind::collective) {
    const int bytes = static_cast<int>(r.collective->in.size());
    rc = MPI_Iallgather(r.collective->in.data(), bytes, MPI_BYTE, r.collective->out.data(), bytes,
                        MPI_BYTE, comm_, &request);
    if (rc != MPI_SUCCESS) {
      abort(rank_,
            "rank " + std::to_string(rank_) + ": MPI_Iallgather failed: " + mpi_error_text(rc),
            true);
      return;
    }
  } else {
    const ExternalTask& task = *r.task;
    try {
      op.buffer = buffer_for(task.layout(0), task.name());
    } catch (...) {
      task.fail(std::current_exception());
      return;
    }
    op.expected_bytes = task.layout(0).bytes();
    if (r.kind == Kind::send) {
      rc = MPI_Isend(task.data(0), op.buffer.count, op.buffer.type, r.peer, r.tag, comm_, &request);
    } else {
      rc = MPI_Irecv(task.data(0), op.buffer.count, op.buffer.type, r.peer, r.tag, comm_, &request);
    }
    if (rc != MPI_SUCCESS) {
      if (op.buffer.derived) MPI_Type_free(&op.buffer.type);
      task.fail(std::make_exception_ptr(Error("task '" + std::string(task.name()) +
                                              "': MPI could not post it: " + mpi_error_text(rc))));
      return;
    }
  }
  ops_.push_back(std::move(op));
  requests_.push_back(request);
}

bool CommEngine::progress() {
  if (requests_.empty()) return false;
  // Reused between polls: this runs thousands of times a second while transfers are pending.
  std::vector<int>& indices = testsome_indices_;
  std::vector<MPI_Status>& statuses = testsome_statuses_;
  indices.resize(requests_.size());
  statuses.resize(requests_.size());
  int count = 0;
  const int rc = MPI_Testsome(static_cast<int>(requests_.size()), requests_.data(), &count,
                              indices.data(), statuses.data());
  if (rc != MPI_SUCCESS && rc != MPI_ERR_IN_STATUS) {
    abort(rank_, "rank " + std::to_string(rank_) + ": MPI_Testsome failed: " + mpi_error_text(rc),
          true);
    return true;
  }
  if (count == MPI_UNDEFINED || count == 0) return false;
  for (int k = 0; k < count; ++k) {
    if (rc != MPI_ERR_IN_STATUS) statuses[static_cast<std::size_t>(k)].MPI_ERROR = MPI_SUCCESS;
    complete(static_cast<std::size_t>(indices[static_cast<std::size_t>(k)]),
             statuses[static_cast<std::size_t>(k)]);
  }
  // Drop the completed entries (their requests are MPI_REQUEST_NULL now), keeping the order.
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (requests_[i] == MPI_REQUEST_NULL && ops_[i].kind != Kind::abort_recv) continue;
    if (kept != i) {
      ops_[kept] = std::move(ops_[i]);
      requests_[kept] = requests_[i];
    }
    ++kept;
  }
  ops_.resize(kept);
  requests_.resize(kept);
  return true;
}

void CommEngine::complete(std::size_t index, const MPI_Status& status) {
  Op& op = ops_[index];
  switch (op.kind) {
    case Kind::abort_recv: {
      int origin = status.MPI_SOURCE;
      const std::string reason(abort_in_.data(), strnlen(abort_in_.data(), abort_in_.size()));
      abort(origin, reason, false);
      requests_[index] = MPI_REQUEST_NULL;
      op.kind = Kind::abort_send;  // a finished entry to drop
      return;
    }
    case Kind::abort_send:
      return;
    case Kind::collective: {
      {
        std::lock_guard lock(mutex_);
        op.collective->done = true;
      }
      collective_done_.notify_all();
      op.collective.reset();
      return;
    }
    case Kind::send:
    case Kind::recv:
      break;
  }
  if (op.buffer.derived) MPI_Type_free(&op.buffer.type);
  const ExternalTask task = *op.task;
  const std::string what = "task '" + std::string(task.name()) + "'";
  if (status.MPI_ERROR != MPI_SUCCESS) {
    std::string reason = what + ": " + mpi_error_text(status.MPI_ERROR);
    if (status.MPI_ERROR == MPI_ERR_TRUNCATE) {
      reason = what + ": rank " + std::to_string(op.peer) + " sent more than the " +
               std::to_string(op.expected_bytes) +
               " bytes registered here: is this datum registered with different sizes on different "
               "ranks?";
    }
    task.fail(std::make_exception_ptr(Error(reason)));
    return;
  }
  if (op.kind == Kind::recv) {
    int received = 0;
    MPI_Get_elements(&status, MPI_BYTE, &received);
    if (static_cast<std::size_t>(received) != op.expected_bytes) {
      task.fail(std::make_exception_ptr(Error(
          what + ": received " + std::to_string(received) + " bytes from rank " +
          std::to_string(op.peer) + ", " + std::to_string(op.expected_bytes) +
          " registered here: is this datum registered with different sizes on different ranks?")));
      return;
    }
  }
  {
    std::lock_guard lock(mutex_);
    if (op.kind == Kind::send) {
      ++stats_.messages_sent;
      stats_.bytes_sent += op.expected_bytes;
    } else {
      ++stats_.messages_received;
      stats_.bytes_received += op.expected_bytes;
    }
  }
  task.done();
}

void CommEngine::apply_abort() {
  AbortInfo info;
  bool broadcast = false;
  {
    std::lock_guard lock(mutex_);
    info = *abort_;
    broadcast = std::exchange(broadcast_pending_, false);
  }
  if (broadcast) {
    for (int peer = 0; peer < size_; ++peer) {
      if (peer == rank_) continue;
      auto& message = abort_out_.emplace_back(kAbortMessageBytes, '\0');
      std::memcpy(message.data(), info.reason.data(),
                  std::min(info.reason.size(), kAbortMessageBytes - 1));
      MPI_Request request = MPI_REQUEST_NULL;
      MPI_Isend(message.data(), static_cast<int>(message.size()), MPI_CHAR, peer, kAbortTag, comm_,
                &request);
      ops_.push_back(op_of(Kind::abort_send));
      requests_.push_back(request);
    }
  }
  // Fail every pending transfer: its peer will never match it now.
  const auto error = std::make_exception_ptr(DistributedError(info.reason, info.origin));
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    Op& op = ops_[i];
    if (op.kind != Kind::send && op.kind != Kind::recv) continue;
    cancel(requests_[i], op.kind == Kind::recv);
    if (op.buffer.derived) MPI_Type_free(&op.buffer.type);
    op.task->fail(error);
    op.kind = Kind::abort_send;  // finished: dropped below
    requests_[i] = MPI_REQUEST_NULL;
  }
  std::size_t kept = 0;
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    if (requests_[i] == MPI_REQUEST_NULL && ops_[i].kind == Kind::abort_send) continue;
    ops_[kept] = std::move(ops_[i]);
    requests_[kept] = requests_[i];
    ++kept;
  }
  ops_.resize(kept);
  requests_.resize(kept);
}

void CommEngine::cancel(MPI_Request& request, bool wait) {
  if (request == MPI_REQUEST_NULL) return;
  MPI_Cancel(&request);
  if (wait) {
    MPI_Wait(&request, MPI_STATUS_IGNORE);
    return;
  }
  // Cancelling a send may not be possible once the peer started receiving it; give it a
  // moment, then let MPI finish it on its own.
  for (int i = 0; i < 1000; ++i) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (done) return;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  MPI_Request_free(&request);
}

void CommEngine::deliver(MPI_Request& request) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (request != MPI_REQUEST_NULL && std::chrono::steady_clock::now() < deadline) {
    int done = 0;
    MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (!done) std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  if (request != MPI_REQUEST_NULL) MPI_Request_free(&request);
}

void CommEngine::cancel_all() {
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    Op& op = ops_[i];
    if (op.kind == Kind::collective) continue;  // cannot be cancelled
    if (op.kind == Kind::abort_send) {
      // The other ranks must get it (or they may wait for this rank forever): never cancel
      // it; give it a few seconds to be delivered, then let MPI finish it on its own.
      deliver(requests_[i]);
      continue;
    }
    cancel(requests_[i], op.kind == Kind::recv || op.kind == Kind::abort_recv);
    if (op.buffer.derived) MPI_Type_free(&op.buffer.type);
    if (op.task)
      op.task->fail(
          std::make_exception_ptr(Error("the MPI context was destroyed with transfers pending")));
  }
}

}  // namespace tessera::mpi::detail
