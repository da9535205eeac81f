#include "logs/log_index.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <xapian.h>

#include <tessera/codelet.hpp>
#include <tessera/error.hpp>
#include <tessera/task_context.hpp>

#include "logs/log_terms.hpp"
#include "logs/object_registrations.hpp"
#include "logs/stream_parse.hpp"

namespace tessera::logs {
namespace {

constexpr const char* kFormatKey = "tessera:format";
constexpr const char* kSystemKey = "tessera:system";
constexpr const char* kLinesKey = "tessera:lines";
constexpr const char* kVersionKey = "tessera:log-index";
constexpr Xapian::valueno kClusterSlot = 0;

std::string event_key(std::size_t cluster) {
  return "tessera:event:" + std::to_string(cluster);
}

// The content of a raw line under `format` (the whole line without a format or when the
// line does not match it).
std::string content_of_line(const std::string& line, const LogFormat* format,
                            std::vector<std::string>& fields) {
  if (format != nullptr && format->split(line, fields)) return fields[format->content()];
  return line;
}

struct Chunk {
  std::vector<std::string> lines;
  std::vector<std::string> contents;
  std::vector<char> matched;  // per line: the format matched (its content has a cluster)
  std::vector<std::vector<std::string>> terms;
};

struct Writer {
  Xapian::WritableDatabase db;
  std::unique_ptr<Drain> drain;
  std::uint64_t lines = 0;
  void add(const Chunk& chunk) {
    for (std::size_t i = 0; i < chunk.lines.size(); ++i) {
      Xapian::Document doc;
      doc.set_data(chunk.lines[i]);
      for (const auto& term : chunk.terms[i]) {
        // Xapian refuses terms over 245 bytes; such a token cannot be asked for anyway.
        if (term.size() <= 240) doc.add_term(term);
      }
      if (chunk.matched[i])
        doc.add_value(kClusterSlot, std::to_string(drain->add(chunk.contents[i])));
      db.add_document(doc);
    }
    lines += chunk.lines.size();
  }
};

std::unique_ptr<LogFormat> format_of(const DrainPreset& preset) {
  return preset.format.empty() ? nullptr : std::make_unique<LogFormat>(preset.format);
}

}  // namespace

struct LogIndex::Impl {
  Xapian::Database db;
  DrainPreset preset;
  std::unique_ptr<LogFormat> format;
  std::uint64_t lines = 0;
};

LogIndex::LogIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LogIndex::LogIndex(LogIndex&&) noexcept = default;
LogIndex& LogIndex::operator=(LogIndex&&) noexcept = default;
LogIndex::~LogIndex() = default;

std::uint64_t LogIndex::lines() const {
  return impl_->lines;
}
const DrainPreset& LogIndex::preset() const {
  return impl_->preset;
}

LogIndex LogIndex::build(Runtime& rt, const std::string& log_path, const std::string& directory,
                         const LogIndexOptions& options) {
  if (options.chunk_lines == 0) throw InvalidArgument("logs index: chunk_lines must be positive");
  std::ifstream in(log_path, std::ios::binary);
  if (!in) throw InvalidArgument("logs: cannot open the log '" + log_path + "'");
  if (looks_binary(in))
    throw InvalidArgument("logs: '" + log_path + "' holds NUL bytes: not a text log");

  auto writer = std::make_shared<Writer>();
  try {
    if (directory.empty()) {
      writer->db = Xapian::WritableDatabase(std::string(), Xapian::DB_BACKEND_INMEMORY);
    } else {
      std::filesystem::create_directories(directory);
      writer->db = Xapian::WritableDatabase(
          directory, Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
    }
  } catch (const Xapian::Error& e) {
    throw InvalidArgument("logs: cannot create an index in '" + directory + "': " + e.get_msg());
  } catch (const std::filesystem::filesystem_error& e) {
    throw InvalidArgument("logs: cannot create an index in '" + directory + "': " + e.what());
  }
  DrainOptions drain_options = options.preset.options;
  drain_options.improved = false;  // template tokens align with the content's tokens
  writer->drain = std::make_unique<Drain>(drain_options);
  const auto format = format_of(options.preset);

  ObjectRegistrations reg(rt);
  const std::size_t in_flight = 2 * rt.workers().size() + 2;
  std::vector<std::shared_ptr<Chunk>> chunks;
  std::vector<ObjectHandle<Chunk>> slots;
  for (std::size_t k = 0; k < in_flight; ++k) {
    chunks.push_back(std::make_shared<Chunk>());
    slots.push_back(reg.add(chunks.back()));
  }
  const auto hwriter = reg.add(writer);

  Codelet terms("logs_index_terms");
  terms.cpu([&format](TaskContext& ctx) {
    auto& chunk = ctx.object<Chunk>(0);
    std::vector<std::string> fields;
    chunk.contents.resize(chunk.lines.size());
    chunk.matched.assign(chunk.lines.size(), 0);
    chunk.terms.resize(chunk.lines.size());
    for (std::size_t i = 0; i < chunk.lines.size(); ++i) {
      const bool matched = format == nullptr || format->split(chunk.lines[i], fields);
      chunk.matched[i] = matched ? 1 : 0;
      chunk.contents[i] = matched && format != nullptr ? fields[format->content()] : chunk.lines[i];
      chunk.terms[i] = log_terms(chunk.contents[i]);
    }
  });
  Codelet add("logs_index_add");
  add.cpu([&options](TaskContext& ctx) {
    auto& writer = ctx.object<Writer>(1);
    writer.add(ctx.object<Chunk>(0));
    if (options.on_progress) options.on_progress(writer.lines);
  });

  std::vector<TaskHandle> added(in_flight);
  std::uint64_t total = 0;
  submit_then_wait_all(rt, [&] {
    for (std::size_t c = 0; in; ++c) {
      const std::size_t k = c % in_flight;
      if (added[k]) added[k].wait();
      Chunk& chunk = *chunks[k];
      chunk.lines.clear();
      std::string line;
      while (chunk.lines.size() < options.chunk_lines && std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        chunk.lines.push_back(std::move(line));
      }
      if (chunk.lines.empty()) break;
      total += chunk.lines.size();
      rt.submit(terms, {{slots[k], RW}});
      added[k] = rt.submit(add, {{slots[k], R}, {hwriter, RW}});
    }
  });
  if (total == 0) throw InvalidArgument("logs: the log '" + log_path + "' is empty");

  auto& db = writer->db;
  for (std::size_t c = 0; c < writer->drain->clusters(); ++c) {
    db.set_metadata(event_key(c), writer->drain->template_of(c));
  }
  db.set_metadata(kFormatKey, options.preset.format);
  db.set_metadata(kSystemKey, options.preset.system);
  db.set_metadata(kLinesKey, std::to_string(total));
  db.set_metadata(kVersionKey, "1");
  db.commit();

  auto impl = std::make_unique<Impl>();
  impl->preset = options.preset;
  impl->format = format_of(options.preset);
  impl->lines = total;
  if (directory.empty()) {
    impl->db = db;
  } else {
    db.close();
    impl->db = Xapian::Database(directory);
  }
  return LogIndex(std::move(impl));
}

LogIndex LogIndex::open(const std::string& directory) {
  auto impl = std::make_unique<Impl>();
  try {
    impl->db = Xapian::Database(directory);
  } catch (const Xapian::Error& e) {
    throw InvalidArgument("logs: no index in '" + directory + "' (" + e.get_msg() +
                          "); build one with `tessera logs index`");
  }
  if (impl->db.get_metadata(kVersionKey) != "1") {
    throw InvalidArgument("logs: '" + directory +
                          "' is a Xapian database but not a Tessera log index");
  }
  impl->preset.format = impl->db.get_metadata(kFormatKey);
  impl->preset.system = impl->db.get_metadata(kSystemKey);
  impl->format = format_of(impl->preset);
  impl->lines = std::stoull(impl->db.get_metadata(kLinesKey));
  return LogIndex(std::move(impl));
}

std::vector<LogHit> LogIndex::search(std::string_view question, std::size_t k) const {
  std::vector<LogHit> hits;
  const auto terms = question_terms(question);
  if (terms.empty() || k == 0) return hits;
  Xapian::Enquire enquire(impl_->db);
  enquire.set_weighting_scheme(Xapian::BM25Weight(1.2, 0, 1, 0.75, 0.5));
  enquire.set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
  const auto mset = enquire.get_mset(0, static_cast<Xapian::doccount>(k));
  for (auto it = mset.begin(); it != mset.end(); ++it) {
    hits.push_back({static_cast<std::uint64_t>(*it) - 1, it.get_weight()});
  }
  return hits;
}

IndexedLine LogIndex::line(std::uint64_t line) const {
  if (line >= impl_->lines) {
    throw InvalidArgument("logs: line " + std::to_string(line) + " is past the index's " +
                          std::to_string(impl_->lines) + " lines");
  }
  const auto doc = impl_->db.get_document(static_cast<Xapian::docid>(line + 1));
  IndexedLine out;
  out.line = line;
  out.text = doc.get_data();
  std::vector<std::string> fields;
  out.content = content_of_line(out.text, impl_->format.get(), fields);
  const auto cluster = doc.get_value(kClusterSlot);
  if (!cluster.empty()) out.event = impl_->db.get_metadata(event_key(std::stoull(cluster)));
  return out;
}

DrainPreset preset_for_log(const std::string& log_path, const std::string& system) {
  DrainPreset preset;
  if (!system.empty()) {
    preset = drain_preset(system);
  } else {
    const std::string name = std::filesystem::path(log_path).filename().string();
    for (const auto& p : drain_presets()) {
      if (name.rfind(p.system + "_", 0) == 0 || name.rfind(p.system + ".", 0) == 0) preset = p;
    }
  }
  preset.options.improved = false;
  return preset;
}

}  // namespace tessera::logs
