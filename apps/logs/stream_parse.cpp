#include "logs/stream_parse.hpp"

#include <atomic>
#include <bit>
#include <chrono>
#include <istream>
#include <memory>
#include <ostream>
#include <unordered_map>

#include <tessera/codelet.hpp>
#include <tessera/error.hpp>
#include <tessera/task_context.hpp>

#include "logs/object_registrations.hpp"

namespace tessera::logs {
namespace {

static_assert(std::endian::native == std::endian::little,
              "cluster id files are written little-endian, in host order");

using Clock = std::chrono::steady_clock;

// One chunk of whole lines and what the tasks derive from it. The buffers keep their
// capacity from one chunk to the next that reuses the slot.
struct Chunk {
  std::uint64_t first_line = 0;
  std::string text;
  std::vector<std::uint32_t> line_begin, line_end;     // into text, without the line end
  std::string masked;                                  // masked contents, one after the other
  std::vector<std::uint32_t> token_begin, token_size;  // into masked
  std::vector<std::uint32_t> line_tokens;              // line i: tokens [line_tokens[i], [i+1])
  std::vector<std::uint8_t> matched;
  std::vector<std::vector<std::uint32_t>> members;  // per partition, its lines
  std::vector<std::uint32_t> cluster;               // per line, its partition's cluster id

  std::size_t lines() const { return line_begin.size(); }
  std::size_t partition_of(std::size_t line) const {
    return (line_tokens[line + 1] - line_tokens[line]) % members.size();
  }
};

struct Reader {
  std::istream* in = nullptr;
  std::string carry;  // the start of a line that the last chunk cut
  bool eof = false;
  std::uint64_t lines = 0;
  std::size_t chunk_bytes = 0, max_line_bytes = 0;
  std::atomic<bool> finished{false};  // the last chunk was read (main thread polls it)

  void fill(Chunk& chunk) {
    chunk.first_line = lines;
    chunk.text.swap(carry);
    carry.clear();
    while (!eof && chunk.text.size() < chunk_bytes)
      read_more(chunk, chunk_bytes - chunk.text.size());
    std::size_t cut = chunk.text.rfind('\n');
    // A line longer than the chunk: read on until its end.
    while (cut == std::string::npos && !eof) {
      if (chunk.text.size() > max_line_bytes) {
        throw InvalidArgument("logs: line " + std::to_string(lines + 1) + " is longer than " +
                              std::to_string(max_line_bytes) + " bytes (not a text log?)");
      }
      const std::size_t old = chunk.text.size();
      read_more(chunk, chunk_bytes);
      const std::size_t found = chunk.text.find('\n', old);
      if (found != std::string::npos) cut = chunk.text.rfind('\n');
    }
    if (cut != std::string::npos && cut + 1 < chunk.text.size()) {
      carry.assign(chunk.text, cut + 1);
      chunk.text.resize(cut + 1);
    }
    split_lines(chunk);
    lines += chunk.lines();
    if (eof && carry.empty()) finished.store(true, std::memory_order_release);
  }

  void read_more(Chunk& chunk, std::size_t bytes) {
    const std::size_t old = chunk.text.size();
    chunk.text.resize(old + bytes);
    in->read(chunk.text.data() + old, static_cast<std::streamsize>(bytes));
    const auto got = static_cast<std::size_t>(in->gcount());
    chunk.text.resize(old + got);
    if (in->bad()) throw Error("logs: reading the log failed after line " + std::to_string(lines));
    if (got < bytes) eof = true;
  }

  static void split_lines(Chunk& chunk) {
    chunk.line_begin.clear();
    chunk.line_end.clear();
    const std::string& t = chunk.text;
    std::size_t start = 0;
    while (start < t.size()) {
      std::size_t end = t.find('\n', start);
      const std::size_t next = end == std::string::npos ? t.size() : end + 1;
      if (end == std::string::npos) end = t.size();
      if (end > start && t[end - 1] == '\r') --end;
      chunk.line_begin.push_back(static_cast<std::uint32_t>(start));
      chunk.line_end.push_back(static_cast<std::uint32_t>(end));
      start = next;
    }
  }
};

// Format split, masking and tokenizing of a chunk's lines (any worker, chunks in parallel).
void prepare(Chunk& chunk, const LogFormat& format, const ContentMasker& masker, bool improved) {
  Regex::Scratch format_scratch(format.regex());
  auto mask_scratch = masker.scratch();
  std::vector<std::string_view> groups, tokens;
  std::string masked;
  const std::size_t n = chunk.lines();
  chunk.masked.clear();
  chunk.token_begin.clear();
  chunk.token_size.clear();
  chunk.line_tokens.assign(1, 0);
  chunk.matched.assign(n, 0);
  chunk.cluster.assign(n, 0);
  for (auto& m : chunk.members) m.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const std::string_view line(chunk.text.data() + chunk.line_begin[i],
                                chunk.line_end[i] - chunk.line_begin[i]);
    std::string_view content;
    // A line with a NUL byte is a binary record: it matches no format.
    if (line.find('\0') == std::string_view::npos &&
        format.content_of(line, format_scratch, groups, content)) {
      chunk.matched[i] = 1;
      masker.mask(content, mask_scratch, masked);
      tokens.clear();
      drain_tokens(masked, improved, tokens);
      for (const auto t : tokens) {
        chunk.token_begin.push_back(static_cast<std::uint32_t>(chunk.masked.size()));
        chunk.token_size.push_back(static_cast<std::uint32_t>(t.size()));
        chunk.masked += t;
      }
    }
    chunk.line_tokens.push_back(static_cast<std::uint32_t>(chunk.token_begin.size()));
    if (chunk.matched[i])
      chunk.members[chunk.partition_of(i)].push_back(static_cast<std::uint32_t>(i));
  }
}

// Drain on one partition's lines of a chunk. Partitions of one chunk run at once: each
// writes the cluster of its own lines only.
void drain_partition(Chunk& chunk, std::size_t partition, Drain& drain) {
  std::vector<std::string_view> tokens;
  for (const std::uint32_t i : chunk.members[partition]) {
    tokens.clear();
    for (std::uint32_t t = chunk.line_tokens[i]; t < chunk.line_tokens[i + 1]; ++t) {
      tokens.emplace_back(chunk.masked.data() + chunk.token_begin[t], chunk.token_size[t]);
    }
    chunk.cluster[i] = static_cast<std::uint32_t>(drain.add_tokens(tokens));
  }
}

// Names clusters in order of their first line, counts, writes the ids (chunks in order).
struct Collector {
  std::vector<std::vector<std::uint32_t>> global_of;  // per partition: its cluster -> id
  std::vector<std::uint32_t> partition_of, local_of;  // per id
  std::vector<std::uint64_t> lines_of;                // per id
  std::ostream* out = nullptr;
  std::vector<std::uint32_t> ids;
  StreamProgress progress;
  Clock::time_point start, last_report;
  const StreamParseOptions* options = nullptr;

  void collect(const Chunk& chunk) {
    ids.clear();
    for (std::size_t i = 0; i < chunk.lines(); ++i) {
      progress.bytes += chunk.line_end[i] - chunk.line_begin[i] + 1;
      if (!chunk.matched[i]) {
        ++progress.skipped;
        ids.push_back(kNoCluster);
        continue;
      }
      const std::size_t p = chunk.partition_of(i);
      auto& globals = global_of[p];
      const std::uint32_t local = chunk.cluster[i];
      if (local == globals.size()) {  // a partition's clusters appear in its line order
        globals.push_back(static_cast<std::uint32_t>(partition_of.size()));
        partition_of.push_back(static_cast<std::uint32_t>(p));
        local_of.push_back(local);
        lines_of.push_back(0);
      }
      const std::uint32_t id = globals.at(local);
      ++lines_of[id];
      ids.push_back(id);
    }
    progress.lines += chunk.lines();
    if (out != nullptr && !ids.empty()) {
      out->write(reinterpret_cast<const char*>(ids.data()),
                 static_cast<std::streamsize>(ids.size() * sizeof(std::uint32_t)));
      if (!*out) throw Error("logs: cannot write the cluster ids");
    }
    const auto now = Clock::now();
    if (options->progress_seconds > 0 && options->on_progress &&
        std::chrono::duration<double>(now - last_report).count() >= options->progress_seconds) {
      last_report = now;
      progress.seconds = std::chrono::duration<double>(now - start).count();
      options->on_progress(progress);
    }
  }
};

}  // namespace

bool looks_binary(std::istream& in) {
  char buffer[4096];
  in.read(buffer, sizeof buffer);
  const auto got = static_cast<std::size_t>(in.gcount());
  in.clear();
  in.seekg(0);
  return std::string_view(buffer, got).find('\0') != std::string_view::npos;
}

StreamParse parse_stream(Runtime& rt, std::istream& log, const DrainPreset& preset,
                         std::ostream* cluster_ids, const StreamParseOptions& options) {
  if (options.partitions == 0 || options.chunk_bytes == 0) {
    throw InvalidArgument("logs: partitions and chunk_bytes must be positive");
  }
  const LogFormat format(preset.format);
  const ContentMasker masker(preset.options);
  const std::size_t parts = options.partitions;
  const std::size_t in_flight =
      options.chunks_in_flight > 0 ? options.chunks_in_flight : 2 * rt.workers().size() + 2;

  ObjectRegistrations reg(rt);
  auto reader = std::make_shared<Reader>();
  reader->in = &log;
  reader->chunk_bytes = options.chunk_bytes;
  reader->max_line_bytes = options.max_line_bytes;
  auto collector = std::make_shared<Collector>();
  collector->global_of.resize(parts);
  collector->out = cluster_ids;
  collector->options = &options;
  collector->start = collector->last_report = Clock::now();
  std::vector<std::shared_ptr<Drain>> drains;
  std::vector<ObjectHandle<Drain>> hdrains;
  for (std::size_t p = 0; p < parts; ++p) {
    drains.push_back(std::make_shared<Drain>(preset.options));
    hdrains.push_back(reg.add(drains.back()));
  }
  std::vector<ObjectHandle<Chunk>> slots;
  for (std::size_t k = 0; k < in_flight; ++k) {
    auto chunk = std::make_shared<Chunk>();
    chunk->members.resize(parts);
    slots.push_back(reg.add(chunk));
  }
  const auto hreader = reg.add(reader);
  const auto hcollector = reg.add(collector);

  Codelet read("logs_read");
  read.cpu([](TaskContext& ctx) { ctx.object<Reader>(0).fill(ctx.object<Chunk>(1)); });
  Codelet prep("logs_prepare");
  prep.cpu([&](TaskContext& ctx) {
    prepare(ctx.object<Chunk>(0), format, masker, preset.options.improved);
  });
  Codelet parse("logs_drain");
  parse.cpu([](TaskContext& ctx) {
    drain_partition(ctx.object<Chunk>(0), ctx.arg<std::size_t>(0), ctx.object<Drain>(1));
  });
  Codelet collect("logs_collect");
  collect.cpu([](TaskContext& ctx) { ctx.object<Collector>(1).collect(ctx.object<Chunk>(0)); });

  std::vector<TaskHandle> collected(in_flight);
  submit_then_wait_all(rt, [&] {
    for (std::size_t c = 0; !reader->finished.load(std::memory_order_acquire); ++c) {
      const std::size_t k = c % in_flight;
      // Bounded memory: chunk c reuses the slot of chunk c - in_flight.
      if (collected[k]) collected[k].wait();
      if (reader->finished.load(std::memory_order_acquire)) break;
      rt.submit(read, {{hreader, RW}, {slots[k], RW}});
      rt.submit(prep, {{slots[k], RW}});
      for (std::size_t p = 0; p < parts; ++p) {
        // Readers of the chunk (each writes only its own lines' clusters), writers of a Drain.
        rt.submit(parse, {{slots[k], R}, {hdrains[p], RW}}, p);
      }
      collected[k] = rt.submit(collect, {{slots[k], RW}, {hcollector, RW}});
    }
  });

  StreamParse out;
  const Collector& col = *collector;
  std::unordered_map<std::string, std::uint32_t> event_of_template;
  std::vector<std::vector<std::vector<std::string>>> settled(parts);
  for (std::size_t p = 0; p < parts; ++p) settled[p] = drains[p]->settled_templates();
  std::vector<std::vector<std::string>> in_order;  // every cluster, by its first line
  for (std::size_t id = 0; id < col.partition_of.size(); ++id) {
    in_order.push_back(std::move(settled[col.partition_of[id]][col.local_of[id]]));
  }
  auto templates = event_templates(in_order, preset.options.improved);
  for (std::size_t id = 0; id < templates.size(); ++id) {
    std::string tpl = std::move(templates[id]);
    auto [it, fresh] =
        event_of_template.emplace(std::move(tpl), static_cast<std::uint32_t>(out.events.size()));
    if (fresh) {
      out.events.push_back(it->first);
      out.occurrences.push_back(0);
    }
    out.occurrences[it->second] += col.lines_of[id];
    out.event_of_cluster.push_back(it->second);
  }
  out.lines = col.progress.lines;
  out.skipped = col.progress.skipped;
  out.bytes = col.progress.bytes;
  out.seconds = std::chrono::duration<double>(Clock::now() - col.start).count();
  return out;
}

void write_structured_stream(std::istream& log, std::istream& cluster_ids, const StreamParse& parse,
                             const LogFormat& format, std::ostream& structured) {
  structured << "LineId";
  for (const auto& h : format.headers()) structured << ',' << csv_field(h);
  structured << ",EventId,EventTemplate\n";
  std::vector<std::string> fields;
  std::uint64_t kept = 0, line_no = 0;
  for (std::string line; std::getline(log, line);) {
    ++line_no;
    std::uint32_t id = 0;
    if (!cluster_ids.read(reinterpret_cast<char*>(&id), sizeof id)) {
      throw InvalidArgument("logs: the cluster ids end before line " + std::to_string(line_no));
    }
    if (id == kNoCluster) continue;
    if (id >= parse.event_of_cluster.size()) {
      throw InvalidArgument("logs: cluster id " + std::to_string(id) + " of line " +
                            std::to_string(line_no) + " is not one of this parse");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!format.split(line, fields)) {
      throw InvalidArgument("logs: line " + std::to_string(line_no) +
                            " no longer matches the format (was the log changed?)");
    }
    const std::uint32_t event = parse.event_of_cluster[id];
    structured << ++kept;
    for (const auto& f : fields) structured << ',' << csv_field(f);
    structured << ",E" << event + 1 << ',' << csv_field(parse.events[event]) << '\n';
  }
  if (!structured) throw Error("logs: cannot write the structured CSV");
}

void write_templates(const StreamParse& parse, std::ostream& templates) {
  templates << "EventId,EventTemplate,Occurrences\n";
  for (std::size_t k = 0; k < parse.events.size(); ++k) {
    templates << 'E' << k + 1 << ',' << csv_field(parse.events[k]) << ',' << parse.occurrences[k]
              << '\n';
  }
  if (!templates) throw Error("logs: cannot write the templates CSV");
}

}  // namespace tessera::logs
