// dmdas: dmda's placement, but each worker's queue is kept sorted by priority (highest
// first, submission order among equals) and the worker runs the first of its 16 most urgent
// queued tasks whose data are already on its memory node, or else the most urgent one.

#include "common/deque_model.hpp"

namespace tessera::sched {
namespace {

class DmdasPolicy final : public DequeModelPolicy {
 public:
  explicit DmdasPolicy(const PolicyOptions& options) : DequeModelPolicy(options) {
    options.expect_only("dmdas", deque_model_options());
  }
  std::string_view name() const override { return "dmdas"; }

 protected:
  void enqueue(std::vector<TaskView>& queue, TaskView task) override {
    auto it = std::upper_bound(queue.begin(), queue.end(), task, [](TaskView a, TaskView b) {
      return a.priority() != b.priority() ? a.priority() > b.priority() : a.id() < b.id();
    });
    queue.insert(it, task);
  }
  std::size_t choose(const std::vector<TaskView>& queue, WorkerId worker) override {
    // Looking deep into a long queue would cost more than it saves: the first few suffice.
    const std::size_t depth = std::min<std::size_t>(queue.size(), 16);
    for (std::size_t i = 0; i < depth; ++i) {
      if (host().expected_transfer_us(queue[i], worker) <= 0.0) return i;
    }
    return 0;
  }
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::DmdasPolicy, "dmdas",
                        "dmda placement, queues by priority, data-ready tasks first",
                        tessera::sched::deque_model_options())
