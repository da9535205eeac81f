// dmda: deque model data aware (StarPU's): earliest expected finish, transfers included,
// each worker running its queue in FIFO order. Options alpha and beta weigh finish time and
// transfer time (default 1 and 1).

#include "common/deque_model.hpp"

namespace tessera::sched {
namespace {

class DmdaPolicy final : public DequeModelPolicy {
 public:
  explicit DmdaPolicy(const PolicyOptions& options) : DequeModelPolicy(options) {
    options.expect_only("dmda", deque_model_options());
  }
  std::string_view name() const override { return "dmda"; }

 protected:
  void enqueue(std::vector<TaskView>& queue, TaskView task) override { queue.push_back(task); }
  std::size_t choose(const std::vector<TaskView>& /*queue*/, WorkerId /*worker*/) override {
    return 0;
  }
};

}  // namespace
}  // namespace tessera::sched

TESSERA_REGISTER_POLICY(tessera::sched::DmdaPolicy, "dmda",
                        "earliest expected finish with transfers (StarPU's dmda)",
                        tessera::sched::deque_model_options())
