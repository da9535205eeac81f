#pragma once
// Drain (He et al., ICWS 2017): online log parsing with a fixed-depth parse tree. Lines are
// split into header fields and content by a log format ("<Date> <Time> <Level>: <Content>"),
// the content is masked by regexes, tokenized on whitespace, routed by token count and its
// first tokens, and matched to the most similar template of its leaf (similarity threshold
// st); a matched template keeps the tokens it shares with the line and turns the others into
// <*>. The semantics follow logpai/logparser's Drain, whose published group accuracies are
// the reference (docs/logs.md).

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>
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
  // The Content field only, without copying (a view into `line`), reusing `scratch` and
  // `groups` (per-thread working memory; what it holds afterwards is unspecified); false
  // when the line does not match.
  bool content_of(std::string_view line, Regex::Scratch& scratch,
                  std::vector<std::string_view>& groups, std::string_view& content) const;
  const Regex& regex() const noexcept { return regex_; }
  // Index of "Content" in headers().
  std::size_t content() const noexcept { return content_; }
  // Whether the format's text between fields is plain (literal characters and spaces), so
  // that lines are split without the regex (the same fields, faster).
  bool plain() const noexcept { return plain_; }

 private:
  std::vector<std::string> headers_;
  std::vector<int> groups_;
  std::size_t content_ = 0;
  // The text before, between and after the fields (headers_.size() + 1 of them), a space
  // standing for a run of whitespace; used when plain_.
  std::vector<std::string> separators_;
  bool plain_ = true;
  Regex regex_;
  Regex compile(const std::string& format);
  // The regex's own result where it succeeds, without the regex; false when it cannot tell
  // (the line then goes to the regex).
  bool split_plain(std::string_view line, std::vector<std::string_view>& fields) const;
};

struct DrainOptions {
  int depth = 4;  // as published: the tree routes by depth - 3 first tokens
  double similarity = 0.5;
  int max_children = 100;
  std::vector<std::string> masks;  // regexes replaced by <*> before tokenizing, in order
  // Tessera's improved mode (docs/logs.md): generic masks before these, more delimiters, a
  // token with a digit is a variable, short messages join clusters, two different words
  // never merge, and a final pass merges over-split templates. Off: Drain as published.
  bool improved = false;
  // A leaf with this many clusters is searched through an inverted index of its templates:
  // the same clusters, found without comparing the line with each (SIZE_MAX: never).
  std::size_t index_leaves_from = 32;
};

// The masks that improved mode applies before a preset's own (UUIDs, IPv4 with port, hex,
// IPv6/MAC/clock times, dates, user names, sizes), in order.
const std::vector<std::string>& generic_masks();

// Drain's preprocessing of a message: each mask's matches replaced by <*>, in order.
class ContentMasker {
 public:
  // The options' masks, after the generic ones in improved mode.
  explicit ContentMasker(const DrainOptions& options);
  // Per-thread working memory of mask().
  struct Scratch {
    std::vector<Regex::Scratch> regex;
    std::string buffer;
  };
  Scratch scratch() const;
  // The masked content, written to `out` (replacing what it held).
  void mask(std::string_view content, Scratch& scratch, std::string& out) const;

 private:
  std::vector<Regex> masks_;
};

// Drain's tokenizer: runs of whitespace separate tokens. Appends views into `s`.
void split_tokens(std::string_view s, std::vector<std::string_view>& out);
// The tokens of a masked message in the given mode: split_tokens, or in improved mode the
// characters = , ( ) [ ] ; and runs of dots turned into spaces first (in `masked`, in place)
// and every token holding a digit or <*> replaced by <*> (a view of a static string).
void drain_tokens(std::string& masked, bool improved, std::vector<std::string_view>& out);

class Drain {
 public:
  explicit Drain(DrainOptions options);
  ~Drain();
  Drain(Drain&&) noexcept;

  // Parses one message's content; returns the id of its cluster (0, 1, ... in order of
  // creation). The cluster's template may still change with later messages.
  std::size_t add(std::string_view content);
  // The same for a message already masked and tokenized (ContentMasker, split_tokens).
  std::size_t add_tokens(std::span<const std::string_view> tokens);
  std::size_t clusters() const;
  // The template of a cluster now, tokens joined by single spaces.
  std::string template_of(std::size_t cluster) const;
  // Every cluster's template, in creation order; in improved mode after merging templates
  // of equal length that agree wherever neither has <*> (and share enough constants).
  std::vector<std::vector<std::string>> settled_templates() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The event template of each cluster, from settled templates (of every Drain instance, in
// the order of their clusters' first lines): the tokens joined by spaces; in improved mode,
// clusters whose constant tokens (two or more) are the same take the first one's template.
std::vector<std::string> event_templates(const std::vector<std::vector<std::string>>& settled,
                                         bool improved);

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

// One CSV field: quoted (RFC 4180) when it holds a comma, a quote or a line end.
std::string csv_field(const std::string& s);

// The columns of a Loghub structured CSV (header row first; RFC 4180 quoting).
std::vector<std::vector<std::string>> read_csv(const std::string& path);

// The named columns of a CSV file with a header row: per name, its values in row order.
// Throws InvalidArgument "<what> '<path>': ..." when the file is empty, lacks one of the
// columns or has a row too short to hold them.
std::vector<std::vector<std::string>> read_csv_columns(const std::string& path,
                                                       std::initializer_list<const char*> names,
                                                       const std::string& what);

}  // namespace tessera::logs
