#pragma once
// What the runtime needs from CUDA, behind functions that also exist (doing nothing) in
// builds without the CUDA toolkit: device discovery, a memory node per device, and each
// CUDA worker's stream and library handles.

#include <cstdint>
#include <memory>
#include <string>

#include "memory_node.hpp"
#include "tessera/device_context.hpp"

namespace tessera::detail {

// Whether this build has CUDA support; the number of devices (0 without support or GPU).
bool cuda_built();
int cuda_device_count();
std::string cuda_device_name(int device);

// A memory node for `device`, of `limit` bytes (0: most of the device's free memory).
std::unique_ptr<MemoryNode> make_cuda_node(int device, std::uint64_t limit);

// A CUDA worker's context, created and destroyed on the worker's own thread.
class CudaWorkerContext {
 public:
  explicit CudaWorkerContext(int device);
  ~CudaWorkerContext();
  CudaWorkerContext(const CudaWorkerContext&) = delete;
  CudaWorkerContext& operator=(const CudaWorkerContext&) = delete;
  const DeviceContext& context() const { return context_; }
  // Waits for the stream; throws Error naming the device and the CUDA error.
  void synchronize() const;
  // Timing of a kernel queued on the stream, so that a worker can queue the next one before
  // this one ends: mark_start before queuing it, mark_end after, await for its GPU time in
  // microseconds (throws Error on a CUDA error). At most kTickets kernels in flight.
  static constexpr int kTickets = 4;
  int mark_start();
  void mark_end(int ticket);
  double await(int ticket);
  // Whether the ticket's kernel has completed (an error counts as completed: await reports it).
  bool done(int ticket) const;
  // Selects the device on the calling thread.
  void make_current() const;

 private:
  DeviceContext context_;
  // Used by the CUDA build only (device_support_cuda.cpp).
  [[maybe_unused]] void* events_[2 * kTickets] = {};  // start and end event of each ticket
  [[maybe_unused]] int next_ticket_ = 0;
};

}  // namespace tessera::detail
