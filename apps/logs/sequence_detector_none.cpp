// SequenceDetector in a build without LibTorch: it names what is missing.
#include "logs/sequence_detector.hpp"

#include <tessera/error.hpp>

namespace tessera::logs {

struct SequenceDetector::Impl {};

void SequenceModelOptions::validate() const {}

SequenceDetector::SequenceDetector(Runtime&, std::size_t, SequenceModelOptions options) {
  throw InvalidArgument("detect: method '" + options.kind +
                        "' needs LibTorch, and this build has none (use pca)");
}
SequenceDetector::~SequenceDetector() = default;
void SequenceDetector::fit(const EventLog&, const std::vector<Window>&) {}
std::vector<std::vector<std::uint32_t>> SequenceDetector::ranks(const EventLog&,
                                                                const std::vector<Window>&) const {
  return {};
}

}  // namespace tessera::logs
