// The example of docs/logs.md: a log parsed by the streaming Drain task graph, then PCA
// anomaly detection over count windows of the parsed events.
#include <cstdio>
#include <sstream>

#include <logs/detect.hpp>
#include <logs/stream_parse.hpp>
#include <tessera/runtime.hpp>

int main() {
  using namespace tessera;
  // A log in HDFS's format; any std::istream works (a file of any size is read in chunks).
  std::ostringstream text;
  for (int i = 0; i < 300; ++i) {
    text << "081109 2035" << i % 60 << " 143 INFO dfs.DataNode: Receiving block blk_" << 1000 + i
         << " src: /10.0.0." << i % 200 << ":5000\n";
    text << "081109 2035" << i % 60 << " 145 INFO dfs.DataNode: PacketResponder " << i % 3
         << " for block blk_" << 1000 + i << " terminating\n";
  }
  const auto& preset = logs::drain_preset("HDFS");
  Runtime rt{Config{}.with_ncpu(2)};
  std::istringstream in(text.str());
  std::ostringstream cluster_ids;  // one little-endian uint32 per line
  const auto parsed = logs::parse_stream(rt, in, preset, &cluster_ids);
  std::printf("%llu lines, %zu templates:\n", static_cast<unsigned long long>(parsed.lines),
              parsed.events.size());
  for (std::size_t e = 0; e < parsed.events.size(); ++e) {
    std::printf("  E%zu (%llu lines) %s\n", e + 1,
                static_cast<unsigned long long>(parsed.occurrences[e]), parsed.events[e].c_str());
  }

  // Anomaly detection works on an EventLog: one event id per line (here without labels).
  std::vector<std::string> lines;
  std::istringstream again(text.str());
  for (std::string line; std::getline(again, line);) lines.push_back(line);
  const auto events = logs::event_log(lines, preset, logs::EventFields{});
  logs::DetectOptions options;
  options.method = "pca";
  options.window = logs::WindowSpec::parse("count:20");
  const auto split = logs::chronological_split(events.size(), 0.6, 0.2);
  const auto report = logs::detect(rt, events, split, options);
  std::size_t flagged = 0;
  for (const auto& v : report.lines) flagged += v.anomalous ? 1 : 0;
  std::printf("pca: %zu test windows, %zu of %zu test lines flagged\n", report.test_windows,
              flagged, report.lines.size());
}
