#include <cstdio>
#include <tessera/tessera.hpp>

int main() {
  tessera::Runtime rt{tessera::Config{}.with_ncpu(1)};
  int value = 20;
  auto h = rt.register_blob(&value, sizeof value);
  tessera::Codelet add("add");
  add.cpu([](tessera::TaskContext& ctx) { *static_cast<int*>(ctx.raw(0)) += ctx.arg<int>(0); });
  rt.submit(add, {{h, tessera::RW}}, 22);
  rt.unregister(h);
  std::printf("consumer: %d (Tessera %s)\n", value, tessera::kVersion);
  return value == 42 ? 0 : 1;
}
