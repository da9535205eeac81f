// docs/api.md, "Errors": a failing kernel is reported by wait_all with the task's name; the
// tasks that depend on it are cancelled; the runtime stays usable.

#include <cstdio>
#include <stdexcept>

#include <tessera/tessera.hpp>

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(2)};
  int cell = 0;
  auto h = rt.register_blob(&cell, sizeof cell);

  tessera::Codelet fail("fail");
  fail.cpu([](tessera::TaskContext&) { throw std::runtime_error("input out of range"); });
  tessera::Codelet increment("increment");
  increment.cpu([](tessera::TaskContext& ctx) { ++*static_cast<int*>(ctx.raw(0)); });

  rt.task(fail).read_write(h).name("load input").submit();
  tessera::TaskHandle next = rt.submit(increment, {{h, tessera::RW}});
  try {
    rt.wait_all();
  } catch (const tessera::TaskFailed& e) {
    std::printf("wait_all: %s\n", e.what());
  }
  try {
    next.wait();
  } catch (const tessera::TaskFailed& e) {
    std::printf("next.wait: %s\n", e.what());
  }

  rt.submit(increment, {{h, tessera::RW}});  // still usable
  rt.wait_all();
  rt.unregister(h);
  std::printf("cell = %d\n", cell);
  return cell == 1 ? 0 : 1;
}
