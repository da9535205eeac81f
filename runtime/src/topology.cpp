#include "topology.hpp"

#include <hwloc.h>

#include "tessera/error.hpp"

namespace tessera::detail {

struct CpuTopology::Impl {
  hwloc_topology_t topology = nullptr;
  std::vector<hwloc_obj_t> cores;
};

CpuTopology::CpuTopology() : impl_(std::make_unique<Impl>()) {
  if (hwloc_topology_init(&impl_->topology) != 0 || hwloc_topology_load(impl_->topology) != 0) {
    throw Error("hwloc could not load the machine topology");
  }
  int depth = hwloc_get_type_depth(impl_->topology, HWLOC_OBJ_CORE);
  hwloc_obj_type_t type = HWLOC_OBJ_CORE;
  if (depth == HWLOC_TYPE_DEPTH_UNKNOWN || depth == HWLOC_TYPE_DEPTH_MULTIPLE) {
    type = HWLOC_OBJ_PU;  // some virtual machines expose no cores
  }
  int count = hwloc_get_nbobjs_by_type(impl_->topology, type);
  for (int i = 0; i < count; ++i)
    impl_->cores.push_back(hwloc_get_obj_by_type(impl_->topology, type, i));
  if (impl_->cores.empty()) throw Error("hwloc found no core on this machine");
}

CpuTopology::~CpuTopology() {
  hwloc_topology_destroy(impl_->topology);
}

int CpuTopology::num_cores() const {
  return static_cast<int>(impl_->cores.size());
}

int CpuTopology::os_index(int core) const {
  hwloc_obj_t obj = impl_->cores.at(static_cast<std::size_t>(core));
  int first = hwloc_bitmap_first(obj->cpuset);
  return first < 0 ? static_cast<int>(obj->os_index) : first;
}

bool CpuTopology::bind_current_thread(int core) const {
  hwloc_obj_t obj = impl_->cores.at(static_cast<std::size_t>(core));
  return hwloc_set_cpubind(impl_->topology, obj->cpuset, HWLOC_CPUBIND_THREAD) == 0;
}

int CpuTopology::shared_depth(int core_a, int core_b) const {
  hwloc_obj_t a = impl_->cores.at(static_cast<std::size_t>(core_a));
  hwloc_obj_t b = impl_->cores.at(static_cast<std::size_t>(core_b));
  hwloc_obj_t common = hwloc_get_common_ancestor_obj(impl_->topology, a, b);
  return common == nullptr ? 0 : static_cast<int>(common->depth);
}

}  // namespace tessera::detail
