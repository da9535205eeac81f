// INSPIRIT as a StarPU 1.3 scheduling policy. The algorithm is inspirit::Core, shared with
// Tessera's own policy; this file answers the core's questions with StarPU's performance
// models and workers, and builds the task graph the core needs from what StarPU shows a
// policy: tasks arrive at submit_hook in submission order, before they are ready, and their
// data accesses give the dependencies (StarPU's implicit, sequentially consistent ones).

#include <starpu.h>
#include <starpu_scheduler.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "inspirit/core.hpp"
#include "tessera/starpu_inspirit.h"

namespace tessera::starpu_plugin {
namespace {

// The core's view of the machine: StarPU's workers (all of the initial context) and models.
class StarpuHost {
 public:
  using Task = starpu_task*;
  std::size_t worker_count() const { return workers_; }
  double now_us() const { return starpu_timing_now(); }
  bool can_execute(Task t, std::size_t w) const {
    if (t->cl == nullptr) return false;  // a control task: StarPU runs it itself
    unsigned nimpl = 0;
    return starpu_worker_can_execute_task_first_impl(static_cast<unsigned>(w), t, &nimpl) != 0;
  }
  // Unknown (nullopt) while the model is uncalibrated or absent: the core then balances by
  // queue length, as dmda does before calibration.
  std::optional<double> expected_length_us(Task t, std::size_t w) const {
    if (t->cl == nullptr || t->cl->model == nullptr) return std::nullopt;
    unsigned nimpl = 0;
    if (!starpu_worker_can_execute_task_first_impl(static_cast<unsigned>(w), t, &nimpl))
      return std::nullopt;
    starpu_perfmodel_arch* arch =
        starpu_worker_get_perf_archtype(static_cast<int>(w), t->sched_ctx);
    const double length = starpu_task_expected_length(t, arch, nimpl);
    if (std::isnan(length) || length < 0) return std::nullopt;
    return length;
  }
  double expected_transfer_us(Task t, std::size_t w) const {
    const double us = starpu_task_expected_data_transfer_time_for(t, static_cast<unsigned>(w));
    return std::isnan(us) ? 0.0 : us;
  }
  std::uint64_t id(Task t) const { return starpu_task_get_job_id(t); }
  int priority(Task t) const { return t->priority; }

  void set_workers(std::size_t n) { workers_ = n; }

 private:
  std::size_t workers_ = 0;
};

// Predecessors from data accesses, with the sequential-consistency rules StarPU applies:
// a reader follows the last writer; a writer follows the last writer and the readers since.
class AccessGraph {
 public:
  void predecessors(starpu_task* task, std::uint64_t id, std::vector<std::uint64_t>& out) {
    out.clear();
    if (task->cl == nullptr) return;
    const unsigned n = STARPU_TASK_GET_NBUFFERS(task);
    for (unsigned i = 0; i < n; ++i) {
      const starpu_data_access_mode mode = STARPU_TASK_GET_MODE(task, i);
      if ((mode & (STARPU_SCRATCH | STARPU_REDUX)) != 0) continue;
      State& s = handles_[STARPU_TASK_GET_HANDLE(task, i)];
      if (s.writer != kNone) out.push_back(s.writer);
      if ((mode & STARPU_W) != 0) {
        out.insert(out.end(), s.readers.begin(), s.readers.end());
        s.writer = id;
        s.readers.clear();
      } else {
        s.readers.push_back(id);
      }
    }
  }
  void clear() { handles_.clear(); }

 private:
  static constexpr std::uint64_t kNone = ~std::uint64_t{0};
  struct State {
    std::uint64_t writer = kNone;
    std::vector<std::uint64_t> readers;
  };
  std::unordered_map<starpu_data_handle_t, State> handles_;
};

// "key=value,key=value" from TESSERA_INSPIRIT_OPTIONS.
inspirit::Tunables tunables_from_environment() {
  inspirit::Tunables t;
  const char* text = std::getenv("TESSERA_INSPIRIT_OPTIONS");
  if (text == nullptr) return t;
  std::string all(text);
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find(',', start);
    if (end == std::string::npos) end = all.size();
    const std::string item = all.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const std::size_t eq = item.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("TESSERA_INSPIRIT_OPTIONS: '" + item + "' is not key=value");
    const std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    auto number = [&] {
      char* stop = nullptr;
      const double v = std::strtod(value.c_str(), &stop);
      if (stop == value.c_str() || *stop != '\0') {
        throw std::invalid_argument("TESSERA_INSPIRIT_OPTIONS: " + key + "='" + value +
                                    "' is not a number");
      }
      return v;
    };
    if (key == "sketch")
      t.sketch = static_cast<int>(number());
    else if (key == "horizon_us")
      t.horizon_us = number();
    else if (key == "horizon_factor")
      t.horizon_factor = number();
    else if (key == "alpha")
      t.alpha = number();
    else if (key == "beta")
      t.beta = number();
    else if (key == "low")
      t.low = number();
    else if (key == "high")
      t.high = number();
    else if (key == "rise")
      t.rise = number();
    else if (key == "window")
      t.window = static_cast<std::size_t>(std::max(0.0, number()));
    else if (key == "near")
      t.near = number();
    else if (key == "mode")
      t.mode = value;
    else if (key == "placement")
      t.placement = value;
    else if (key == "key")
      t.key = value;
    else if (key == "ready_first")
      t.ready_first = value == "1" || value == "true";
    else
      throw std::invalid_argument("TESSERA_INSPIRIT_OPTIONS: unknown option '" + key + "'");
  }
  try {
    t.validate();
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("TESSERA_INSPIRIT_OPTIONS: ") + e.what());
  }
  return t;
}

// One instance per StarPU initialisation (a scheduling context of StarPU's).
struct Instance {
  explicit Instance(const inspirit::Tunables& t) : core(host, t) {}
  StarpuHost host;
  inspirit::Core<StarpuHost> core;
  std::mutex graph_mutex;  // submit_hook may run on several submitting threads
  AccessGraph graph;
  std::vector<std::uint64_t> preds;
};

std::unique_ptr<Instance> g_instance;

void init_sched(unsigned sched_ctx_id) {
  try {
    g_instance = std::make_unique<Instance>(tunables_from_environment());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "tessera-inspirit: %s\n", e.what());
    std::abort();  // StarPU's init_sched cannot report an error
  }
  // Priorities are only tie-breakers here; accept the whole range applications use.
  starpu_sched_ctx_set_min_priority(sched_ctx_id, -1000000);
  starpu_sched_ctx_set_max_priority(sched_ctx_id, 1000000);
}

void deinit_sched(unsigned) {
  g_instance.reset();
}

void add_workers(unsigned, int*, unsigned) {
  g_instance->host.set_workers(starpu_worker_get_count());
  g_instance->core.attach();
}

void remove_workers(unsigned, int*, unsigned) {}

void submit_hook(starpu_task* task) {
  if (task->cl == nullptr)
    return;  // control tasks (e.g. of data acquisition) never reach push_task
  Instance& in = *g_instance;
  std::lock_guard lock(in.graph_mutex);
  const std::uint64_t id = starpu_task_get_job_id(task);
  in.graph.predecessors(task, id, in.preds);
  in.core.submitted(task, in.preds);
}

int push_task(starpu_task* task) {
  Instance& in = *g_instance;
  const std::size_t target =
      in.core.push(task, [task](std::size_t) { starpu_push_task_end(task); });
  if (target == inspirit::Core<StarpuHost>::kNoWorker) return -ENODEV;
  starpu_wake_worker_relax_light(static_cast<int>(target));
  return 0;
}

starpu_task* pop_task(unsigned) {
  const int worker = starpu_worker_get_id();
  if (worker < 0 || !g_instance) return nullptr;
  const auto task = g_instance->core.pop(static_cast<std::size_t>(worker));
  return task ? *task : nullptr;
}

void post_exec_hook(starpu_task* task, unsigned) {
  const int worker = starpu_worker_get_id();
  g_instance->core.finished(task, worker < 0 ? 0 : static_cast<std::size_t>(worker));
}

starpu_sched_policy make_policy() {
  starpu_sched_policy p{};
  p.init_sched = init_sched;
  p.deinit_sched = deinit_sched;
  p.add_workers = add_workers;
  p.remove_workers = remove_workers;
  p.push_task = push_task;
  p.pop_task = pop_task;
  p.submit_hook = submit_hook;
  p.post_exec_hook = post_exec_hook;
  p.policy_name = "tessera-inspirit";
  p.policy_description =
      "Tessera's INSPIRIT: adaptive priorities from inspiring ability and efficiency";
  p.worker_type = STARPU_WORKER_LIST;
  return p;
}

starpu_sched_policy g_policy = make_policy();

// The layout of struct starpu_sched_policy and the hooks' contracts are StarPU's internal
// ABI: refuse any StarPU but the major.minor this was compiled against.
__attribute__((constructor)) void check_abi_at_load() {
  int major = 0, minor = 0, release = 0;
  starpu_get_version(&major, &minor, &release);
  if (const char* error = tessera_starpu_inspirit_abi_error(major, minor, release)) {
    std::fprintf(stderr, "%s\n", error);
    std::abort();
  }
}

}  // namespace
}  // namespace tessera::starpu_plugin

extern "C" starpu_sched_policy* tessera_starpu_inspirit_policy(void) {
  return &tessera::starpu_plugin::g_policy;
}

extern "C" const char* tessera_starpu_inspirit_abi_error(int major, int minor, int release) {
  if (major == STARPU_MAJOR_VERSION && minor == STARPU_MINOR_VERSION) return nullptr;
  static char message[256];
  std::snprintf(message, sizeof message,
                "libtessera-starpu-inspirit: built for StarPU %d.%d.%d, but this process runs "
                "StarPU %d.%d.%d, whose "
                "scheduler ABI differs; rebuild Tessera's plug-in against it",
                STARPU_MAJOR_VERSION, STARPU_MINOR_VERSION, STARPU_RELEASE_VERSION, major, minor,
                release);
  return message;
}
