#pragma once
// GraphRecorder: the submitted task graph (tasks and inferred or explicit edges), kept only
// when asked for, and written as Graphviz DOT.

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace tessera::detail {

class GraphRecorder {
 public:
  void enable() { enabled_.store(true, std::memory_order_relaxed); }
  bool enabled() const noexcept { return enabled_.load(std::memory_order_relaxed); }
  void add_task(std::uint64_t id, std::string name, std::string codelet);
  void add_edge(std::uint64_t from, std::uint64_t to);
  // Throws Error naming the path if it cannot be written.
  void write_dot(const std::string& path) const;

 private:
  struct Node {
    std::uint64_t id;
    std::string name;
    std::string codelet;
  };
  std::atomic<bool> enabled_{false};
  mutable std::mutex mutex_;
  std::vector<Node> nodes_;
  std::vector<std::pair<std::uint64_t, std::uint64_t>> edges_;
};

}  // namespace tessera::detail
