// heteroprio (after Agullo et al. and StarPU's heteroprio): ready tasks wait in one bucket
// per task type. Each architecture visits the buckets in its own order: GPUs start with
// the types they accelerate most, CPUs with those they accelerate least. The acceleration
// factor of a type is its expected CPU time over its expected GPU time, read from the
// performance models when the first task of the type arrives (1 when unknown).
//
// A worker of the slower architecture takes a task from a bucket only if the faster workers
// could not empty it while it runs one task: more than (faster workers) x (acceleration)
// tasks must wait there. This keeps CPUs off the GPUs' critical work.

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "tessera/policy.hpp"

namespace tessera::sched {
namespace {

class HeteroprioPolicy final : public Policy {
 public:
  explicit HeteroprioPolicy(const PolicyOptions& options) { options.expect_only("heteroprio", {}); }
  std::string_view name() const override { return "heteroprio"; }

  void on_attach() override {
    for (const WorkerInfo& w : host().workers()) {
      auto& rep = representative_[static_cast<std::size_t>(w.arch)];
      if (rep.count == 0) rep.worker = w.id;
      ++rep.count;
    }
  }

  WorkerId push(TaskView task) override {
    std::lock_guard lock(mutex_);
    Bucket& b = bucket_for(task);
    // Within a bucket: higher priority first, then submission order.
    auto it = std::upper_bound(b.tasks.begin(), b.tasks.end(), task, [](TaskView x, TaskView y) {
      return x.priority() != y.priority() ? x.priority() > y.priority() : x.id() < y.id();
    });
    b.tasks.insert(it, task);
    return kAnyWorker;
  }

  TaskView pop(WorkerId worker) override {
    std::lock_guard lock(mutex_);
    const Arch arch = host().workers()[static_cast<std::size_t>(worker)].arch;
    for (std::size_t index : order_[static_cast<std::size_t>(arch)]) {
      Bucket& b = buckets_[index];
      if (b.tasks.empty()) continue;
      const bool worth = worth_taking(b, arch);
      for (auto it = b.tasks.begin(); it != b.tasks.end(); ++it) {
        // A task the faster architecture cannot run is always worth taking.
        if (host().can_execute(*it, worker) && (worth || !faster_can_run(*it, b, arch))) {
          TaskView task = *it;
          b.tasks.erase(it);
          return task;
        }
      }
    }
    return {};
  }

 private:
  struct Bucket {
    std::string type;
    double acceleration = 1.0;  // cpu time / gpu time
    std::deque<TaskView> tasks;
  };
  struct Representative {
    WorkerId worker = kAnyWorker;
    int count = 0;
  };

  Representative& rep(Arch arch) { return representative_[static_cast<std::size_t>(arch)]; }

  double expected(TaskView task, Arch arch) {
    const Representative& r = rep(arch);
    if (r.count == 0 || !host().can_execute(task, r.worker)) return -1.0;
    return host().expected_length_us(task, r.worker).value_or(-1.0);
  }

  Bucket& bucket_for(TaskView task) {
    const std::string type(task.codelet_name());
    auto found = index_.find(type);
    if (found != index_.end()) return buckets_[found->second];
    Bucket b;
    b.type = type;
    const double cpu = expected(task, Arch::cpu);
    const double gpu = expected(task, Arch::cuda);
    if (cpu > 0 && gpu > 0) b.acceleration = cpu / gpu;
    if (cpu > 0 && gpu < 0) b.acceleration = 0.0;  // CPU only
    if (cpu < 0 && gpu > 0) b.acceleration = 1e9;  // GPU only
    const std::size_t index = buckets_.size();
    buckets_.push_back(std::move(b));
    index_.emplace(type, index);
    rebuild_orders();
    return buckets_[index];
  }

  void rebuild_orders() {
    std::vector<std::size_t> by_acceleration(buckets_.size());
    for (std::size_t i = 0; i < by_acceleration.size(); ++i) by_acceleration[i] = i;
    std::stable_sort(by_acceleration.begin(), by_acceleration.end(),
                     [&](std::size_t a, std::size_t b) { return buckets_[a].acceleration > buckets_[b].acceleration; });
    for (Arch arch : kAllArchs) {
      auto& order = order_[static_cast<std::size_t>(arch)];
      order = by_acceleration;  // accelerators: most accelerated first
      if (arch == Arch::cpu) std::reverse(order.begin(), order.end());
    }
  }

  bool faster_can_run(TaskView task, const Bucket& b, Arch arch) {
    const Arch faster = b.acceleration > 1.0 ? Arch::cuda : Arch::cpu;
    if (faster == arch || rep(faster).count == 0) return false;
    return host().can_execute(task, rep(faster).worker);
  }

  bool worth_taking(const Bucket& b, Arch arch) {
    const bool gpu_faster = b.acceleration > 1.0;
    const bool cpu_faster = b.acceleration < 1.0;
    if (arch == Arch::cpu && gpu_faster && rep(Arch::cuda).count > 0) {
      return static_cast<double>(b.tasks.size()) > rep(Arch::cuda).count * std::min(b.acceleration, 1e6);
    }
    if (arch != Arch::cpu && cpu_faster && b.acceleration > 0 && rep(Arch::cpu).count > 0) {
      return static_cast<double>(b.tasks.size()) > rep(Arch::cpu).count / b.acceleration;
    }
    return true;
  }

  std::mutex mutex_;
  std::vector<Bucket> buckets_;
  std::map<std::string, std::size_t> index_;
  std::vector<std::size_t> order_[kArchCount];
  Representative representative_[kArchCount];
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::HeteroprioPolicy, "heteroprio",
                        "buckets per task type, visited per architecture by acceleration factor")
