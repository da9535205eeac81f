// libFuzzer targets for the other inputs a user types or hands over: policy specs, DAG
// generator specs, Tessera's performance-model files, StarPU's perfmodel files and Matrix
// Market files. Any input must give a value or an InvalidArgument (PolicyError for policy
// specs) naming the problem: never a crash, a sanitizer report, a hang or another error.
// FUZZ_TARGET selects the reader (tests/fuzz/CMakeLists.txt).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>

#include <tessera/error.hpp>
#include <tessera/perf_models.hpp>
#include <tessera/policy.hpp>

#include "dags/dag_spec.hpp"
#include "platform/starpu_import.hpp"
#include "spamm/matrix_market.hpp"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  // Sizes a spec or header asks for are checked against this budget, not the machine's: a
  // fuzzer must not spend its time building 20 GB graphs that the real check would allow.
  setenv("TESSERA_MEMORY_BYTES", "67108864", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(bytes), size);
  try {
#if FUZZ_TARGET == 1
    // A path (with '/' or ".so") would dlopen whatever file the fuzzer names: names only.
    if (text.find('/') != std::string::npos || text.find(".so") != std::string::npos) return 0;
    (void)tessera::create_policy(text);
#elif FUZZ_TARGET == 2
    // Anything else than a generator spec is a file name.
    if (!tessera::dags::is_generator_spec(text)) return 0;
    (void)tessera::dags::make_dag(text).predecessors();
#elif FUZZ_TARGET == 3
    tessera::HistoryModel model("fuzz");
    model.load_json(text, "fuzz");
    for (tessera::Arch arch : {tessera::Arch::cpu, tessera::Arch::cuda}) {
      (void)model.power_law(arch);
      (void)model.power_law_with_constant(arch);
    }
    tessera::HistoryModel copy("fuzz");
    copy.load_json(model.to_json(), "fuzz round trip");
#elif FUZZ_TARGET == 4
    std::istringstream in(text);
    (void)tessera::tools::parse_starpu_perfmodel(in, "fuzz");
#else
    std::istringstream in(text);
    (void)tessera::spamm::read_matrix_market(in, "fuzz");
#endif
  } catch (const tessera::InvalidArgument&) {
    // Expected for malformed input.
  } catch (const tessera::PolicyError&) {
    // Expected for a malformed policy spec.
  }
  return 0;
}
