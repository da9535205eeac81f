#pragma once
// Drain (He et al., ICWS 2017): online log parsing with a fixed-depth parse tree. Lines are
// split into header fields and content by a log format ("<Date> <Time> <Level>: <Content>"),
// the content is masked by regexes, tokenized on whitespace, routed by token count and its
// first tokens, and matched to the most similar template of its leaf (similarity threshold
// st); a matched template keeps the tokens it shares with the line and turns the others into
// <*>. The semantics follow logpai/logparser's Drain, whose published group accuracies are
// the reference (docs/logs.md).

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "logs/regex.hpp"

namespace tessera::logs {

// The header fields of a log line format; the format's text between fields is regex syntax
// (as in logparser: "\[" for a literal bracket), runs of spaces match any whitespace.
class LogFormat {
 public:
  explicit LogFormat(const std::string& format);
  const std::vector<std::string>& headers() const noexcept { return headers_; }
  // The fields of a line (leading and trailing whitespace removed), or false when it does not
  // match; a field whose optional group took no part is empty.
  bool split(std::string_view line, std::vector<std::string>& fields) const;
  // Index of "Content" in headers().
  std::size_t content() const noexcept { return content_; }

 private:
  std::vector<std::string> headers_;
  std::vector<int> groups_;
  std::size_t content_ = 0;
  Regex regex_;
  static Regex compile(const std::string& format, std::vector<std::string>& headers);
};

struct DrainOptions {
  int depth = 4;  // as published: the tree routes by depth - 3 first tokens
  double similarity = 0.5;
  int max_children = 100;
  std::vector<std::string> masks;  // regexes replaced by <*> before tokenizing, in order
};

class Drain {
 public:
  explicit Drain(DrainOptions options);
  ~Drain();
  Drain(Drain&&) noexcept;

  // Parses one message's content; returns the id of its cluster (0, 1, ... in order of
  // creation). The cluster's template may still change with later messages.
  std::size_t add(std::string_view content);
  std::size_t clusters() const;
  // The template of a cluster now, tokens joined by single spaces.
  std::string template_of(std::size_t cluster) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A named preset: logparser's benchmark settings for one Loghub system.
struct DrainPreset {
  std::string system;
  std::string format;
  DrainOptions options;
};
const std::vector<DrainPreset>& drain_presets();
// Throws InvalidArgument listing the known systems.
const DrainPreset& drain_preset(std::string_view system);

// A parsed log: per kept line its fields and its template.
struct ParsedLog {
  std::vector<std::string> headers;
  std::vector<std::vector<std::string>> fields;  // per line, per header
  std::vector<std::string> templates;            // per line: its cluster's final template
  std::size_t skipped = 0;                       // lines that did not match the format
};
ParsedLog parse_lines(const std::vector<std::string>& lines, const DrainPreset& preset);

// Group accuracy (a line counts when its parsed group is exactly its true group) and parsing
// accuracy (its template equals the true one), over lines aligned by position.
struct ParseAccuracy {
  double group = 0;
  double parsing = 0;
  std::size_t lines = 0;
};
ParseAccuracy parse_accuracy(const std::vector<std::string>& parsed_templates,
                             const std::vector<std::string>& truth_groups,
                             const std::vector<std::string>& truth_templates);

// Writes Loghub's two files: DIR/<name>_structured.csv (LineId, the header fields, EventId,
// EventTemplate) and DIR/<name>_templates.csv (EventId, EventTemplate, Occurrences). Event
// ids are E1, E2, ... in order of first appearance, as in Loghub's own files.
void write_structured(const ParsedLog& parsed, const std::string& dir, const std::string& name);

// Accuracy of a parse against a Loghub structured CSV (its EventId and EventTemplate
// columns, lines aligned by position). Throws InvalidArgument naming the file when the
// columns are missing or the line counts differ.
ParseAccuracy accuracy_against(const ParsedLog& parsed, const std::string& structured_csv);

// The lines of a log file, without line ends (CRLF or LF). Throws InvalidArgument naming
// the path when it is missing or holds NUL bytes (not a text log).
std::vector<std::string> read_log(const std::string& path);

// The columns of a Loghub structured CSV (header row first; RFC 4180 quoting).
std::vector<std::vector<std::string>> read_csv(const std::string& path);

}  // namespace tessera::logs
