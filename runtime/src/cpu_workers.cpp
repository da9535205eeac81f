#include "cpu_workers.hpp"

#include <pthread.h>

#include <chrono>
#include <deque>
#include <string>
#include <utility>

#include "engine.hpp"
#include "tessera/spin_mutex.hpp"
#include "topology.hpp"

namespace tessera::detail {
namespace {

// Initial-exec: read on every policy call; the general TLS model costs a function call.
thread_local const Engine* tls_engine __attribute__((tls_model("initial-exec"))) = nullptr;
thread_local WorkerId tls_worker __attribute__((tls_model("initial-exec"))) = kAnyWorker;

}  // namespace

CpuWorkers::CpuWorkers(Engine& engine, Policy& policy, std::span<const WorkerInfo> workers,
                       std::shared_ptr<const CpuTopology> topology, const Config& config)
    : engine_(engine),
      policy_(policy),
      topology_(std::move(topology)),
      bind_(config.bind_workers),
      spin_us_(config.spin_us) {
  WorkerId max_id = -1;
  for (const WorkerInfo& w : workers) {
    ids_.push_back(w.id);
    cores_.push_back(w.core);
    max_id = std::max(max_id, w.id);
  }
  slot_count_ = static_cast<std::size_t>(max_id + 1);
  slots_ = std::make_unique<Slot[]>(slot_count_);
  for (const WorkerInfo& w : workers)
    slots_[static_cast<std::size_t>(w.id)].arch_bit = 1u << index_of(w.arch);
}

CpuWorkers::~CpuWorkers() {
  stop();
}

void CpuWorkers::start() {
  threads_.reserve(ids_.size());
  for (std::size_t i = 0; i < ids_.size(); ++i) {
    threads_.emplace_back([this, i] { run(ids_[i], cores_[i]); });
  }
}

void CpuWorkers::stop() {
  if (threads_.empty()) return;
  stopping_.store(true, std::memory_order_seq_cst);
  for (WorkerId id : ids_) {
    Slot& slot = slots_[static_cast<std::size_t>(id)];
    slot.seq.fetch_add(1, std::memory_order_seq_cst);
    slot.wakeup.notify_all();
  }
  for (std::thread& t : threads_) t.join();
  threads_.clear();
}

WorkerId CpuWorkers::current_worker() const {
  return tls_engine == &engine_ ? tls_worker : kAnyWorker;
}

double CpuWorkers::now_us() const {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start_time_)
      .count();
}

void CpuWorkers::drain(std::atomic<std::int32_t>& in_flight, WakeupPoint& drained) {
  drained.wait([&] { return in_flight.load(std::memory_order_acquire) == 0; });
}

std::uint64_t CpuWorkers::late_wakeups(WorkerId worker) const {
  if (worker < 0 || static_cast<std::size_t>(worker) >= slot_count_) return 0;
  return slots_[static_cast<std::size_t>(worker)].late_wakeups.load(std::memory_order_relaxed);
}

void CpuWorkers::wake(WorkerId worker) {
  if (worker < 0 || static_cast<std::size_t>(worker) >= slot_count_) return;
  Slot& slot = slots_[static_cast<std::size_t>(worker)];
  slot.seq.fetch_add(1, std::memory_order_seq_cst);
  if (slot.sleeping.exchange(false, std::memory_order_seq_cst)) slot.wakeup.notify_one();
}

void CpuWorkers::wake_all() {
  for (WorkerId id : ids_) wake(id);
}

TaskView CpuWorkers::poll(WorkerId worker) {
  if (engine_.paused()) return {};
  return policy_.pop(worker);
}

void CpuWorkers::wake_any(unsigned arch_mask) {
  if (sleepers_.load(std::memory_order_seq_cst) == 0) return;
  // Start the scan at a rotating position so wake-ups spread over the workers.
  const std::size_t n = ids_.size();
  const std::size_t first = wake_cursor_.fetch_add(1, std::memory_order_relaxed) % n;
  for (std::size_t k = 0; k < n; ++k) {
    Slot& slot = slots_[static_cast<std::size_t>(ids_[(first + k) % n])];
    // Claiming the sleeper with exchange keeps two pushes from waking the same worker.
    // A worker that cannot run the task would go back to sleep and the task would wait.
    if ((slot.arch_bit & arch_mask) != 0 && slot.sleeping.load(std::memory_order_relaxed) &&
        slot.sleeping.exchange(false, std::memory_order_seq_cst)) {
      slot.seq.fetch_add(1, std::memory_order_seq_cst);
      slot.wakeup.notify_one();
      return;
    }
  }
}

void CpuWorkers::run(WorkerId worker, int core) {
  tls_engine = &engine_;
  tls_worker = worker;
  // Named for debuggers and profilers: "tessera-w3" (Linux allows 15 characters).
  const std::string name = "tessera-w" + std::to_string(worker);
  pthread_setname_np(pthread_self(), name.c_str());
  if (bind_ && topology_ && core >= 0) {
    // A refused binding (containers, cpusets) only costs locality; run unbound.
    (void)topology_->bind_current_thread(core % topology_->num_cores());
  }
  engine_.prepare_worker_thread(worker);
  if (engine_.pipelined(worker)) {
    run_pipelined(worker);
  } else {
    while (TaskView task = find_work(worker)) engine_.execute(task.get(), worker);
  }
  tls_engine = nullptr;
  tls_worker = kAnyWorker;
}

void CpuWorkers::run_pipelined(WorkerId worker) {
  // Up to kPipelineDepth tasks in flight on the device: while the GPU runs them, the worker
  // brings in the data of the next one and queues its kernel behind them, so the GPU never
  // waits for the host between tasks. Finished tasks are retired as soon as they are seen
  // done (their successors become ready); the worker only sleeps with nothing in flight. A
  // popped task is ready, so it never depends on a task in flight.
  std::deque<Task*> in_flight;
  for (;;) {
    while (!in_flight.empty() && engine_.finished_on_device(in_flight.front(), worker)) {
      engine_.finish(in_flight.front(), worker);
      in_flight.pop_front();
    }
    if (in_flight.size() < kPipelineDepth) {
      if (TaskView next = in_flight.empty() ? find_work(worker) : poll(worker)) {
        if (engine_.begin_task(next.get(), worker)) {
          engine_.launch(next.get(), worker);
          in_flight.push_back(next.get());
        }
        continue;
      }
      if (in_flight.empty()) return;  // stopping
    }
    engine_.finish(in_flight.front(), worker);  // nothing else to do: wait for the oldest
    in_flight.pop_front();
  }
}

TaskView CpuWorkers::find_work(WorkerId worker) {
  using Clock = std::chrono::steady_clock;
  Slot& slot = slots_[static_cast<std::size_t>(worker)];
  for (;;) {
    const auto deadline = Clock::now() + std::chrono::microseconds(spin_us_);
    unsigned polls = 0;
    do {
      if (TaskView task = poll(worker)) return task;
      if (stopping_.load(std::memory_order_acquire)) return {};
      // Yield now and then: the submitting thread may share this core. Reading the clock
      // costs as much as a poll, so it is read rarely.
      if (++polls % 8 == 0) {
        std::this_thread::yield();
      } else {
        cpu_pause();
      }
    } while (polls % 32 != 0 || Clock::now() < deadline);

    const std::uint32_t seq = slot.seq.load(std::memory_order_seq_cst);
    slot.sleeping.store(true, std::memory_order_seq_cst);
    sleepers_.fetch_add(1, std::memory_order_seq_cst);
    // Re-check after announcing the sleep: a push that raced with it is visible now, and a
    // push after it sees the flag and wakes us.
    TaskView task = poll(worker);
    const auto woken = [&] {
      return slot.seq.load(std::memory_order_seq_cst) != seq ||
             stopping_.load(std::memory_order_seq_cst);
    };
    while (!task && !slot.wakeup.wait_for(woken, kSleepLimit)) {
      // Nobody woke us for a while: look once more (without the polling phase). Work found
      // here was queued without a wake-up reaching us; it is counted, as a missed wake-up.
      task = poll(worker);
      if (task) slot.late_wakeups.fetch_add(1, std::memory_order_relaxed);
    }
    slot.sleeping.store(false, std::memory_order_relaxed);
    sleepers_.fetch_sub(1, std::memory_order_seq_cst);
    if (task) return task;
  }
}

}  // namespace tessera::detail
