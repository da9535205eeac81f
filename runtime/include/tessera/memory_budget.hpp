#pragma once
// What a run may allocate: sizes that fit an option's range may still not fit the machine
// (`--n 100000` asks for 80 GB). Commands estimate what they need before allocating and
// call require_memory(), so that such a run ends with a message naming the size and the
// machine's memory, not a bare std::bad_alloc after minutes.

#include <cstdint>
#include <string>

namespace tessera {

// The machine's physical memory in bytes; TESSERA_MEMORY_BYTES (a positive integer, bytes)
// overrides it, for a machine with swap to spend or a container with a smaller limit.
std::uint64_t machine_memory_bytes();

// Throws InvalidArgument "<what> needs about X GB, more than the Y GB of this machine
// (TESSERA_MEMORY_BYTES overrides)" when `bytes` (an estimate; any finite or infinite
// non-negative value) is larger than machine_memory_bytes().
void require_memory(double bytes, const std::string& what);

}  // namespace tessera
