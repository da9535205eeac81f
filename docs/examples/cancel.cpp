// docs/api.md, "Cancellation" and "Submitting from inside a task": speculative work dropped
// before it runs, and a task that submits follow-up tasks. Built and run by the test suite.

#include <cstdio>
#include <vector>

#include <tessera/tessera.hpp>

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(2)};
  std::vector<int> draft(1, 0), accepted(1, 0);
  auto hdraft = rt.register_vector(std::span(draft));
  auto haccepted = rt.register_vector(std::span(accepted));

  tessera::Codelet add("add");
  add.cpu([](tessera::TaskContext& ctx) { ctx.vector<int>(0)[0] += ctx.arg<int>(0); });
  tessera::Codelet copy("copy");
  copy.cpu([](tessera::TaskContext& ctx) { ctx.vector<int>(1)[0] = ctx.vector<int>(0)[0]; });

  // Speculative work: held by a pause here so that it surely has not started.
  rt.pause();
  tessera::TaskHandle guess = rt.submit(add, {{hdraft, tessera::RW}}, 10);
  tessera::TaskHandle use = rt.submit(copy, {{hdraft, tessera::R}, {haccepted, tessera::W}});
  rt.cancel(guess);  // `use` depends on it: cancelled too
  rt.resume();

  // A task that submits more work: its children run after it, and wait_all waits for them.
  tessera::Codelet parent("parent");
  parent.cpu([&](tessera::TaskContext&) {
    for (int i = 1; i <= 3; ++i) rt.submit(add, {{hdraft, tessera::RW}}, i);
  });
  rt.submit(parent, {{hdraft, tessera::R}});
  rt.wait_all();  // cancellations are not failures: no exception

  std::printf("guess: %s, use: %s\n", std::string(tessera::to_string(guess.status())).c_str(),
              std::string(tessera::to_string(use.status())).c_str());
  rt.unregister(hdraft);
  rt.unregister(haccepted);
  std::printf("draft = %d, accepted = %d\n", draft[0], accepted[0]);
  return draft[0] == 6 && accepted[0] == 0 ? 0 : 1;
}
