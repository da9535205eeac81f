#pragma once
// Large synthetic logs for throughput measurements: a sample log replayed line after line,
// over and over, with fresh random digits (each run of digits keeps its length). With the
// sample's labelled structured CSV, only the header fields and the spans that the true
// template marks <*> change, so the replayed log has the sample's events and no others (as a
// real log of the same system would); without it every digit changes, which also turns
// numbers that are constants of a message (for example "ciod: generated 8 core files") into
// new values, and a parser sees far more distinct messages than a real log has.

#include <cstdint>
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

namespace tessera::logs {

// Byte ranges [begin, end) of one line whose digits a replay renews.
using ReplaySpans = std::vector<std::pair<std::size_t, std::size_t>>;

// Per sample line, its variable spans: the text before its Content (the header fields) and
// the parts of its Content that its EventTemplate's <*> cover, from a Loghub structured CSV
// (columns Content and EventTemplate, one row per line of `sample`). A line whose content
// is not found or does not fit its template keeps only its header variable; `unmatched`
// (when given) counts them. Throws InvalidArgument naming the file on a missing column or
// a row count other than the sample's.
std::vector<ReplaySpans> variable_spans(const std::vector<std::string>& sample,
                                        const std::string& structured_csv,
                                        std::size_t* unmatched = nullptr);

// Writes `lines` lines to `out`, cycling through `sample` (which must not be empty). With
// `spans` (one per sample line) only digits inside them change; with none, every digit.
// Deterministic for a given seed.
void replay_log(const std::vector<std::string>& sample, const std::vector<ReplaySpans>& spans,
                std::uint64_t lines, std::uint64_t seed, std::ostream& out);
void replay_log(const std::vector<std::string>& sample, std::uint64_t lines, std::uint64_t seed,
                std::ostream& out);

}  // namespace tessera::logs
