#pragma once
// SimExecutor: a discrete-event executor in virtual time. Idle workers ask the policy for
// work exactly as real workers do; a started task first waits for its data (transfers over
// the platform's links, one at a time per link with contention), then runs for its
// simulated duration; its completion is an event that releases its successors.

#include <atomic>
#include <queue>
#include <unordered_map>
#include <vector>

#include "coherency.hpp"
#include "executor.hpp"
#include "machine_model.hpp"
#include "sim_costs.hpp"
#include "tessera/platform.hpp"
#include "tessera/simulation.hpp"

namespace tessera::detail {

class Engine;
struct Data;

class SimExecutor final : public Executor, public MachineModel {
 public:
  SimExecutor(Engine& engine, const Platform& platform, const SimCosts& costs);

  void start() override {}
  void stop() override {}
  void wake(WorkerId) override {}
  void wake_any(unsigned) override {}
  WorkerId current_worker() const override { return current_; }
  double now_us() const override { return now_; }
  void drain(std::atomic<std::int32_t>& in_flight, WakeupPoint& drained) override;
  void prefetch(Task& task, WorkerId worker) override;
  void prefetch_access(Task& task, std::size_t access, WorkerId worker) override;
  std::optional<double> expected_length_us(const Task& task, WorkerId worker) const override;
  bool can_execute(const Task& task, WorkerId worker) const override;
  bool filters_tasks() const override { return true; }
  bool executes_kernels() const override { return false; }
  const MachineModel* machine() const override { return this; }
  // MachineModel: the platform's links (node ids as the platform numbers them).
  LinkModel link(int from_node, int to_node) const override;
  double expected_transfer_us(const Task& task, const WorkerInfo& worker) const override;

  void add_data(const Data* data, std::uint64_t bytes);

  const std::vector<SimTaskRecord>& schedule() const { return schedule_; }
  const std::vector<SimWorkerReport>& reports() const { return reports_; }
  std::uint64_t transfers() const { return transfers_; }
  double bytes_transferred() const { return bytes_transferred_; }
  double makespan_us() const { return makespan_; }

 private:
  int dense_node(int id) const;  // a platform node id as an index (count if unknown)
  struct Link {
    double bandwidth_MBps = 0;  // = bytes per microsecond
    double latency_us = 0;
    bool contention = true;
    double free_at = 0;
  };
  struct Event {
    double time;
    std::uint64_t seq;
    Task* task;
    WorkerId worker;
    bool operator>(const Event& o) const { return time != o.time ? time > o.time : seq > o.seq; }
  };
  struct Pin {
    std::size_t data;
    int node;
  };

  std::size_t data_index(const Data* data) const;
  int node_of(WorkerId worker) const { return node_of_[static_cast<std::size_t>(worker)]; }
  const Link* direct_link(int from, int to) const;
  double arrival(std::size_t data, int from, int to, bool with_queue) const;
  int choose_source(std::size_t data, int to, const std::vector<int>& valid) const;
  double transfer(std::size_t data, int from, int to, double earliest);
  // Makes one access usable on `node` now; returns when its data is there.
  double acquire(Task& task, std::size_t data, int node, Access mode, bool pin);
  class ActingAs;
  void dispatch_idle_workers();
  void start(Task* task, WorkerId worker);
  void finish(const Event& event);

  Engine& engine_;
  const SimCosts& costs_;
  double now_ = 0.0;
  WorkerId current_ = kAnyWorker;
  std::uint64_t seq_ = 0;
  std::priority_queue<Event, std::vector<Event>, std::greater<>> events_;
  std::vector<int> node_of_;
  std::vector<int> platform_node_ids_;  // dense index -> the platform's node id
  std::vector<bool> busy_;
  std::vector<Link> links_;  // [from * nodes + to]; bandwidth 0 where there is none
  std::size_t nodes_ = 0;
  Coherency coherency_;
  std::unordered_map<const Data*, std::size_t> data_index_;
  std::vector<std::uint64_t> bytes_;
  std::vector<double> ready_at_;  // [data * nodes + node]: when its replica there is complete
  std::unordered_map<std::uint64_t, std::vector<Pin>> pins_;  // task id -> replicas it pinned
  std::vector<Coherency::Action> actions_;
  std::vector<SimTaskRecord> schedule_;
  std::vector<SimWorkerReport> reports_;
  std::uint64_t transfers_ = 0;
  double bytes_transferred_ = 0.0;
  double makespan_ = 0.0;
  bool stalled_ = false;
};

}  // namespace tessera::detail
