// docs/api.md, "Completion callbacks and observers": a progress counter watching every task,
// and a callback that submits the next round when a task is done.

#include <atomic>
#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

#include <tessera/tessera.hpp>

struct Progress : tessera::TaskObserver {
  std::atomic<int> started{0}, ended{0};
  void on_task_start(const tessera::TaskEvent&) override { ++started; }
  void on_task_end(const tessera::TaskEvent&) override { ++ended; }
};

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(2)};
  auto progress = std::make_shared<Progress>();
  rt.add_observer(progress);

  std::vector<long> x(1, 0);
  auto hx = rt.register_vector(std::span(x));
  tessera::Codelet step("step");
  step.cpu([](tessera::TaskContext& ctx) { ++ctx.vector<long>(0)[0]; });

  // Each round's task, when done, submits the next one: 5 rounds in all.
  int rounds = 0;
  std::function<void(const tessera::TaskEvent&)> next = [&](const tessera::TaskEvent& done) {
    if (done.status == tessera::TaskStatus::succeeded && ++rounds < 5)
      rt.task(step).read_write(hx).on_done(next).submit();
  };
  rt.task(step).read_write(hx).on_done(next).submit();
  rt.wait_all();
  rt.unregister(hx);
  std::printf("%d tasks started, %d ended, x = %ld\n", progress->started.load(),
              progress->ended.load(), x[0]);
  return x[0] == 5 ? 0 : 1;
}
