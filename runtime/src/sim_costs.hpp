#pragma once
// SimCosts: the duration of every task of a Dag on every worker class of a Platform (a
// class is a worker kind: all workers of one kind share costs). Means for predictions;
// "actual" durations for the simulation, equal to the means or, with noise, drawn once
// per (seed, task, class) so the lower bound can use exactly the same values.

#include <cstdint>
#include <string>
#include <vector>

#include "tessera/dag.hpp"
#include "tessera/platform.hpp"
#include "tessera/simulation.hpp"

namespace tessera::detail {

struct WorkerClass {
  std::string kind;
  Arch arch;
  int count = 0;
};

class SimCosts {
 public:
  SimCosts(const Dag& dag, const Platform& platform, const SimOptions& options);

  const std::vector<WorkerClass>& classes() const { return classes_; }
  // The class index of every worker, in the order the simulator creates them.
  const std::vector<int>& worker_class() const { return worker_class_; }
  bool runs(std::size_t task, int cls) const { return mean_[index(task, cls)] >= 0; }
  double mean_us(std::size_t task, int cls) const { return mean_[index(task, cls)]; }
  double actual_us(std::size_t task, int cls) const { return actual_[index(task, cls)]; }
  // Fastest actual duration over the classes that can run the task.
  double fastest_us(std::size_t task) const;
  std::size_t tasks() const { return tasks_; }

 private:
  std::size_t index(std::size_t task, int cls) const {
    return task * classes_.size() + static_cast<std::size_t>(cls);
  }

  std::size_t tasks_ = 0;
  std::vector<WorkerClass> classes_;
  std::vector<int> worker_class_;
  std::vector<double> mean_;  // < 0: cannot run
  std::vector<double> actual_;
};

}  // namespace tessera::detail
