#pragma once
// The machine's cores as hwloc sees them: used to bind CPU workers and to order each
// worker's neighbours by how much cache they share.

#include <memory>
#include <vector>

namespace tessera::detail {

class CpuTopology {
 public:
  CpuTopology();
  ~CpuTopology();
  CpuTopology(const CpuTopology&) = delete;
  CpuTopology& operator=(const CpuTopology&) = delete;

  int num_cores() const;
  // OS index of the first processing unit of core `core`.
  int os_index(int core) const;
  // Binds the calling thread to core `core`; false if the system refused.
  bool bind_current_thread(int core) const;
  // Depth of the deepest object containing both cores: larger means closer.
  int shared_depth(int core_a, int core_b) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::detail
