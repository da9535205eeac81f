#pragma once
// Drain over a log of any size, as a task graph on the Tessera runtime, in bounded memory.
//
// The log is read in chunks of whole lines. Per chunk, one task splits the lines by the log
// format, masks and tokenizes their contents (chunks are independent: these tasks run in
// parallel); then one task per partition runs Drain on the chunk's lines of that partition
// (a partition is a set of token counts, Drain's first tree level, so partitions never share
// a cluster and the result is exactly sequential Drain's); then one task, in chunk order,
// names each line's cluster and writes it out. Chunk buffers are reused, so memory holds a
// fixed number of chunks whatever the input's size. The partition count is fixed, not the
// worker count, so templates and ids are the same on any number of workers.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

#include <tessera/runtime.hpp>

#include "logs/drain.hpp"

namespace tessera::logs {

struct StreamProgress {
  std::uint64_t lines = 0;    // read so far
  std::uint64_t skipped = 0;  // of those, lines that did not match the format
  std::uint64_t bytes = 0;
  double seconds = 0;
};

struct StreamParseOptions {
  std::size_t chunk_bytes = std::size_t{1} << 20;  // whole lines, about this many bytes
  std::size_t partitions = 16;
  std::size_t chunks_in_flight = 0;                    // 0: two per worker, plus two
  std::size_t max_line_bytes = std::size_t{64} << 20;  // a longer line is an error (binary)
  double progress_seconds = 0;  // > 0: on_progress at most this often (from a worker)
  std::function<void(const StreamProgress&)> on_progress;
};

// What a parse found: the clusters' final templates, and the events (distinct templates).
struct StreamParse {
  std::vector<std::string> events;              // template of E1, E2, ... (first appearance)
  std::vector<std::uint64_t> occurrences;       // lines per event
  std::vector<std::uint32_t> event_of_cluster;  // cluster id (as written per line) -> event
  std::uint64_t lines = 0;
  std::uint64_t skipped = 0;  // lines that did not match the format (no cluster)
  std::uint64_t bytes = 0;
  double seconds = 0;
};

// The cluster id that cluster_ids holds for a line that did not match the format.
inline constexpr std::uint32_t kNoCluster = 0xffffffffu;

// Parses `log` with `preset` on `runtime`'s workers. When `cluster_ids` is given, writes one
// little-endian uint32 per line of the input (its cluster id, or kNoCluster), in line order.
// Throws InvalidArgument when a line is longer than options.max_line_bytes.
StreamParse parse_stream(Runtime& runtime, std::istream& log, const DrainPreset& preset,
                         std::ostream* cluster_ids, const StreamParseOptions& options = {});

// Loghub's structured CSV (LineId, the format's fields, EventId, EventTemplate) of a parse:
// re-reads `log` and the cluster ids that parse_stream wrote, one line at a time.
void write_structured_stream(std::istream& log, std::istream& cluster_ids, const StreamParse& parse,
                             const LogFormat& format, std::ostream& structured);
// Loghub's templates CSV (EventId, EventTemplate, Occurrences).
void write_templates(const StreamParse& parse, std::ostream& templates);

// True when the first bytes of the file hold a NUL byte (a binary file, not a text log).
bool looks_binary(std::istream& in);

}  // namespace tessera::logs
