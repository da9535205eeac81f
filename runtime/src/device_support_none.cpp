// Device support in a build without the CUDA toolkit: no device, ever.

#include "device_support.hpp"
#include "tessera/error.hpp"

namespace tessera::detail {

bool cuda_built() {
  return false;
}
int cuda_device_count() {
  return 0;
}
std::string cuda_device_name(int) {
  return "none";
}

std::unique_ptr<MemoryNode> make_cuda_node(int device, std::uint64_t) {
  throw Error("CUDA device " + std::to_string(device) +
              " requested, but Tessera was built without CUDA");
}

CudaWorkerContext::CudaWorkerContext(int device) {
  throw Error("CUDA device " + std::to_string(device) +
              " requested, but Tessera was built without CUDA");
}
CudaWorkerContext::~CudaWorkerContext() = default;
void CudaWorkerContext::synchronize() const {}
void CudaWorkerContext::make_current() const {}
int CudaWorkerContext::mark_start() {
  return -1;
}
void CudaWorkerContext::mark_end(int) {}
double CudaWorkerContext::await(int) {
  return 0.0;
}
bool CudaWorkerContext::done(int) const {
  return true;
}

}  // namespace tessera::detail
