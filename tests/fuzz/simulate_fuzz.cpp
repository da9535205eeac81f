// libFuzzer target of the simulator: the input is decoded into a platform (a built-in one,
// or a small one with arbitrary links and memory sizes) and a task graph (costs, accesses,
// explicit edges, priorities), both written as the JSON files a user would give and read
// by the same readers, then simulated under every registered policy. A graph or platform
// may be refused with an InvalidArgument naming the problem; anything else (a crash, a
// sanitizer report, a hang, another exception such as a policy that loses a task) is a bug.

#include <fuzzer/FuzzedDataProvider.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <tessera/dag.hpp>
#include <tessera/error.hpp>
#include <tessera/platform.hpp>
#include <tessera/policy.hpp>
#include <tessera/simulation.hpp>

namespace {

std::string number_text(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", v);
  return buffer;
}

// Mostly ordinary values, sometimes the edges of what the readers accept and beyond.
double draw_number(FuzzedDataProvider& f, double typical) {
  static constexpr double kEdges[] = {0.0, -1.0, 1e-300, 1e-9, 1.0, 1e15, 1e16, 1e300};
  if (f.ConsumeIntegralInRange(0, 7) == 0) return kEdges[f.ConsumeIntegralInRange(0, 7)];
  return f.ConsumeFloatingPointInRange(0.0, typical);
}

std::string platform_json(FuzzedDataProvider& f) {
  const int gpus = f.ConsumeIntegralInRange(0, 2);
  std::string nodes =
      R"({"id": 0, "kind": "host", "bytes": )" + number_text(draw_number(f, 1e10)) + "}";
  std::string workers = R"({"arch": "cpu", "count": )" +
                        std::to_string(f.ConsumeIntegralInRange(0, 4)) + R"(, "memory_node": 0})";
  std::string links;
  for (int g = 1; g <= gpus; ++g) {
    nodes += R"(, {"id": )" + std::to_string(g) + R"(, "kind": "cuda", "bytes": )" +
             number_text(draw_number(f, 1e9)) + "}";
    workers += R"(, {"arch": "cuda", "count": 1, "memory_node": )" + std::to_string(g) + "}";
    for (const auto& [from, to] : {std::pair{0, g}, std::pair{g, 0}}) {
      if (!links.empty()) links += ", ";
      links += R"({"from": )" + std::to_string(from) + R"(, "to": )" + std::to_string(to) +
               R"(, "bandwidth_MBps": )" + number_text(draw_number(f, 20000)) +
               R"(, "latency_us": )" + number_text(draw_number(f, 100)) +
               (f.ConsumeBool() ? R"(, "contention": false})" : "}");
    }
  }
  return R"({"format": "tessera-platform/1", "name": "fuzz", "memory_nodes": [)" + nodes +
         R"(], "workers": [)" + workers + R"(], "links": [)" + links + "]}";
}

std::string dag_json(FuzzedDataProvider& f) {
  static const char* const kModes[] = {"R", "W", "RW", "SCRATCH", "W|COMMUTE", "RW|COMMUTE"};
  static const char* const kKinds[] = {"cpu", "cuda", "*"};
  const int data = f.ConsumeIntegralInRange(1, 6);
  std::string text = R"({"format": "tessera-dag/1", "name": "fuzz", "data": [)";
  for (int d = 0; d < data; ++d) {
    text += (d ? ", " : "") + std::string(R"({"id": "d)") + std::to_string(d) + R"(", "bytes": )" +
            std::to_string(f.ConsumeIntegralInRange<std::uint64_t>(0, 1 << 26)) + "}";
  }
  text += R"(], "tasks": [)";
  const int tasks = f.ConsumeIntegralInRange(1, 40);
  for (int t = 0; t < tasks; ++t) {
    text += (t ? ", " : "") + std::string(R"({"id": "t)") + std::to_string(t) + R"(", "type": ")" +
            std::string(1, static_cast<char>('a' + f.ConsumeIntegralInRange(0, 2))) +
            R"(", "cost_us": {)";
    bool first = true;
    for (const char* kind : kKinds) {
      if (!f.ConsumeBool()) continue;
      text += (first ? "" : ", ") + std::string("\"") + kind +
              "\": " + number_text(draw_number(f, 1000));
      first = false;
    }
    text += R"(}, "access": [)";
    const int accesses = f.ConsumeIntegralInRange(0, 3);
    for (int a = 0; a < accesses; ++a) {
      text += (a ? ", " : "") + std::string(R"(["d)") +
              std::to_string(f.ConsumeIntegralInRange(0, data - 1)) + R"(", ")" +
              kModes[f.ConsumeIntegralInRange(0, 5)] + "\"]";
    }
    text += "]";
    if (t > 0 && f.ConsumeIntegralInRange(0, 3) == 0) {
      // Usually an earlier task; sometimes a later one, which may close a cycle.
      const int other = f.ConsumeIntegralInRange(0, tasks - 1);
      text += R"(, "after": ["t)" + std::to_string(other) + "\"]";
    }
    if (f.ConsumeIntegralInRange(0, 3) == 0)
      text += R"(, "priority": )" + std::to_string(f.ConsumeIntegralInRange(-5, 5));
    text += "}";
  }
  return text + "]}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  FuzzedDataProvider f(bytes, size);
  static const std::vector<std::string> kBuiltins = tessera::Platform::builtin_names();
  static const std::vector<tessera::PolicyInfo> kPolicies = tessera::registered_policies();
  try {
    // TESSERA_FUZZ_DUMP=1 prints the decoded files, to replay a finding with `tessera sim`.
    const bool dump = std::getenv("TESSERA_FUZZ_DUMP") != nullptr;
    const bool builtin = f.ConsumeIntegralInRange(0, 3) == 0;
    const std::string builtin_name =
        kBuiltins[f.ConsumeIntegralInRange<std::size_t>(0, kBuiltins.size() - 1)];
    const std::string platform_text = builtin ? std::string() : platform_json(f);
    if (dump)
      std::fprintf(stderr, "platform: %s\n",
                   builtin ? builtin_name.c_str() : platform_text.c_str());
    const tessera::Platform platform =
        builtin ? tessera::Platform::builtin(builtin_name)
                : tessera::Platform::parse(platform_text, "fuzz platform");
    const std::string dag_text = dag_json(f);
    if (dump) std::fprintf(stderr, "dag: %s\n", dag_text.c_str());
    const tessera::Dag dag = tessera::Dag::parse_json(dag_text, "fuzz DAG");
    const bool noise = f.ConsumeBool();
    const std::uint64_t seed = f.ConsumeIntegral<std::uint64_t>();
    for (const tessera::PolicyInfo& policy : kPolicies) {
      tessera::SimOptions options;
      options.sched = policy.name;
      options.noise = noise;
      options.seed = seed;
      const tessera::SimResult result = tessera::simulate(dag, platform, options);
      // A schedule can never beat its own lower bound, and must run every task.
      if (!(result.makespan_us >= 0) || result.tasks != dag.tasks.size() ||
          result.makespan_us < result.bound.value_us() * (1 - 1e-9) - 1e-6) {
        std::fprintf(stderr, "policy %s: makespan %.17g, bound %.17g, %zu of %zu tasks\n",
                     policy.name.c_str(), result.makespan_us, result.bound.value_us(), result.tasks,
                     dag.tasks.size());
        std::abort();
      }
    }
  } catch (const tessera::InvalidArgument&) {
    // A graph or platform the readers or the simulator refuse, with the reason.
  }
  return 0;
}
