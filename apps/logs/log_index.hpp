#pragma once
// A BM25 index over the lines of a log (the retriever of log question answering).
//
// Every line is a Xapian document (docid = line number + 1) holding the raw line, its
// log-aware terms (log_terms.hpp) and its Drain cluster; the clusters' final templates and
// the log format are kept in the database's metadata, so that a reopened index answers
// without the log file. Building runs as tasks: chunks of lines get their terms in
// parallel, and one task per chunk, in line order, parses them with Drain and adds them to
// the database (Xapian's writer is not thread-safe). Search is Xapian's BM25 (k1 = 1.2,
// b = 0.75) over the question's terms, OR-ed.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <tessera/runtime.hpp>

#include "logs/drain.hpp"

namespace tessera::logs {

struct LogIndexOptions {
  // How lines split into header fields and content, and Drain's settings (published mode:
  // template tokens then align with the content's whitespace tokens). No format: the
  // whole line is the content.
  DrainPreset preset;
  std::size_t chunk_lines = 4096;
  std::function<void(std::uint64_t lines_done)> on_progress;  // after each chunk, in order
};

struct IndexedLine {
  std::uint64_t line = 0;  // 0-based line number in the log
  std::string text;        // the raw line
  std::string content;     // its Content field (the whole line without a format)
  std::string event;       // the final Drain template of its content ("" when unknown)
};

struct LogHit {
  std::uint64_t line = 0;
  double score = 0;
};

class LogIndex {
 public:
  // Indexes the log at `log_path`; an empty `directory` keeps the index in memory, else it
  // is written there (replacing an index already there) and can be reopened. Throws
  // InvalidArgument naming the file when it cannot be read, is empty or is binary.
  static LogIndex build(Runtime& runtime, const std::string& log_path, const std::string& directory,
                        const LogIndexOptions& options);
  // Reopens an index written by build(); throws InvalidArgument when `directory` holds none.
  static LogIndex open(const std::string& directory);

  LogIndex(LogIndex&&) noexcept;
  LogIndex& operator=(LogIndex&&) noexcept;
  ~LogIndex();

  std::uint64_t lines() const;
  // The best `k` lines for a question (fewer when fewer lines share a term; none when no
  // term of the question occurs in the log).
  std::vector<LogHit> search(std::string_view question, std::size_t k) const;
  IndexedLine line(std::uint64_t line) const;
  // The preset the index was built with (system name, format).
  const DrainPreset& preset() const;

 private:
  struct Impl;
  explicit LogIndex(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The Drain preset for a log file: `system` when given (an unknown name throws), else the
// one whose system name starts the file's name (HDFS_2k.log: HDFS), else none (no format:
// the whole line is the content). Published Drain (improved off).
DrainPreset preset_for_log(const std::string& log_path, const std::string& system);

}  // namespace tessera::logs
