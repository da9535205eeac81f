#pragma once
// What every rank knows about the distributed flow: the distributed data, their owners and
// versions, which rank holds which version, and checksums of what was registered and
// submitted. All ranks update it identically, so they agree on every transfer (and its tag)
// without exchanging any control message.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <tessera/data.hpp>

#include "comm_engine.hpp"

namespace tessera::mpi::detail {

// 64-bit FNV-1a, for the flow checksums.
class Checksum {
 public:
  void add(std::string_view bytes) {
    for (unsigned char c : bytes) hash_ = (hash_ ^ c) * 1099511628211ULL;
    ++items_;
  }
  void add(std::uint64_t value) {
    for (int i = 0; i < 8; ++i) hash_ = (hash_ ^ ((value >> (8 * i)) & 0xff)) * 1099511628211ULL;
    ++items_;
  }
  std::uint64_t hash() const noexcept { return hash_; }

 private:
  std::uint64_t hash_ = 1469598103934665603ULL;
  std::uint64_t items_ = 0;
};

struct DistributedDatum {
  static constexpr std::uint64_t kNone = std::numeric_limits<std::uint64_t>::max();
  DataHandle local;
  int owner = 0;
  std::uint64_t version = 0;
  std::vector<std::uint64_t> held;  // per rank: the version it holds, kNone if none
};

class FlowState {
 public:
  FlowState(MPI_Comm comm, int rank, int size) : comm(comm, rank, size), rank_(rank), size_(size) {}

  CommEngine comm;
  std::unordered_map<const tessera::detail::Data*, std::size_t> index;
  std::vector<DistributedDatum> data;
  std::uint64_t transfers = 0;  // same sequence on every rank: the source of message tags
  Checksum registrations;
  Checksum tasks;
  std::uint64_t task_count = 0;

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  int rank_;
  int size_;
};

}  // namespace tessera::mpi::detail
