#pragma once
// Test-only ways to build a Runtime (white-box tests include runtime/src): settings that are
// not part of the public Config, and fail_next_host_allocations() (host_allocation.hpp).

#include <memory>

#include "engine.hpp"
#include "host_allocation.hpp"
#include "internals.hpp"

namespace tessera::detail {

// A runtime with `mock_devices` CUDA workers on mock devices made of host memory, so that
// the coherency machinery runs without a GPU (the environment's TESSERA_MOCK_CUDA adds more
// unless config.use_env is false).
inline std::unique_ptr<Runtime> mock_device_runtime(Config config, int mock_devices) {
  return Internals::runtime(
      std::make_unique<Engine>(Engine::threaded(std::move(config), mock_devices)));
}

}  // namespace tessera::detail
