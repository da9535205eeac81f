#pragma once
// Helpers shared by the test suites.

#include <cctype>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <tessera/tessera.hpp>

namespace tessera::testing {

// Every registered policy, by name.
inline std::vector<std::string> all_policies() {
  std::vector<std::string> names;
  for (const PolicyInfo& info : registered_policies()) names.push_back(info.name);
  return names;
}

// A configuration that ignores the environment (tests must not depend on the caller's).
// CPU workers only, also on a machine with GPUs (tests that want CUDA workers ask for them):
// the same test then runs the same way everywhere.
inline Config test_config(const std::string& sched, int ncpu = 2) {
  return Config{}.with_sched(sched).with_ncpu(ncpu).with_ncuda(0).without_env();
}

// A codelet that adds one to element 0 of a vector<long>: the counter of many tests.
inline Codelet increment_codelet() {
  Codelet inc("inc");
  inc.cpu([](TaskContext& ctx) { ++ctx.vector<long>(0)[0]; });
  return inc;
}

// Sets an environment variable for the scope of the object, then restores it.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (old_) {
      ::setenv(name_.c_str(), old_->c_str(), 1);
    } else {
      ::unsetenv(name_.c_str());
    }
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// Name generator for parameterised tests over policies.
// A test name for a policy spec: "heft:rank=fastest" -> "heft_rank_fastest".
struct PolicyName {
  std::string operator()(const ::testing::TestParamInfo<std::string>& info) const {
    std::string name = info.param;
    for (char& c : name) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    return name;
  }
};

}  // namespace tessera::testing
