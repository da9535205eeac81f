// libFuzzer targets for the platform and DAG readers: any input must give a platform, a
// DAG, or an InvalidArgument naming the problem — never a crash, a hang or another error.
// Built with clang when TESSERA_FUZZ=ON, one executable per reader (FUZZ_TARGET selects it).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <tessera/dag.hpp>
#include <tessera/error.hpp>
#include <tessera/platform.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(bytes), size);
  try {
#if FUZZ_TARGET == 1
    const tessera::Platform p = tessera::Platform::parse(text, "fuzz");
    (void)tessera::Platform::parse(p.to_json(), "fuzz round trip");
#elif FUZZ_TARGET == 2
    const tessera::Dag d = tessera::Dag::parse_json(text, "fuzz");
    (void)d.predecessors();
    (void)tessera::Dag::parse_json(d.to_json(), "fuzz round trip");
#elif FUZZ_TARGET == 3
    (void)tessera::Dag::parse_dot(text, "fuzz").predecessors();
#else
    (void)tessera::Dag::parse_stg(text, "fuzz").predecessors();
#endif
  } catch (const tessera::InvalidArgument&) {
    // Expected for malformed input.
  }
  return 0;
}
