#include "logs/drain.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <unordered_map>

#include <tessera/error.hpp>

#include "logs/leaf_index.hpp"

namespace tessera::logs {
namespace {

const std::string kWildcard = "<*>";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// A token of letters only (improved mode never merges two different ones).
bool is_word(std::string_view token) {
  if (token.empty()) return false;
  for (char c : token) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return false;
  }
  return true;
}

bool has_digit(std::string_view token) {
  for (char c : token) {
    if (c >= '0' && c <= '9') return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& tokens) {
  std::string out;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (i) out += ' ';
    out += tokens[i];
  }
  return out;
}

}  // namespace

void split_tokens(std::string_view s, std::vector<std::string_view>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
}

const std::vector<std::string>& generic_masks() {
  static const std::vector<std::string> masks = {
      // UUID
      R"(\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
      // IPv4, with a port
      R"(\b(?:\d{1,3}\.){3}\d{1,3}(?::\d{1,5})?\b)",
      // hexadecimal
      R"(\b0[xX][0-9a-fA-F]+\b)",
      // IPv6, MAC addresses, clock times h:m:s
      R"((?<![\w:])(?=[0-9a-fA-F:]*[0-9])(?=(?:[0-9a-fA-F]*:){2})[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}(?![\w:]))",
      // dates such as "Sun Jul 3"
      R"(\b(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+)?(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s+\d{1,2}\b)",
      // user names: after "user=" or "user ", and X in "for X from"
      R"((?<=\buser[= ])(?<!\buser[= ]user[= ])[^\s,;]+|(?<=\bfor )[^\s,;]+(?= from\b))",
      // sizes such as "(1.16 KB)"
      R"(\(\s*\d+(?:\.\d+)?\s*[KMGT]?i?B\s*\))",
  };
  return masks;
}

ContentMasker::ContentMasker(const DrainOptions& options) {
  if (options.improved) {
    for (const auto& m : generic_masks()) masks_.emplace_back(m);
  }
  for (const auto& m : options.masks) masks_.emplace_back(m);
}

ContentMasker::Scratch ContentMasker::scratch() const {
  Scratch s;
  for (const auto& r : masks_) s.regex.emplace_back(r);
  return s;
}

void ContentMasker::mask(std::string_view content, Scratch& scratch, std::string& out) const {
  out.assign(content);
  for (std::size_t k = 0; k < masks_.size(); ++k) {
    scratch.buffer.clear();
    masks_[k].replace_all(out, kWildcard, scratch.regex[k], scratch.buffer);
    out.swap(scratch.buffer);
  }
}

void drain_tokens(std::string& masked, bool improved, std::vector<std::string_view>& out) {
  if (!improved) {
    split_tokens(masked, out);
    return;
  }
  for (std::size_t i = 0; i < masked.size(); ++i) {
    char& c = masked[i];
    if (c == '=' || c == ',' || c == '(' || c == ')' || c == '[' || c == ']' || c == ';') {
      c = ' ';
    } else if (c == '.' && i + 1 < masked.size() && masked[i + 1] == '.') {
      while (i < masked.size() && masked[i] == '.') masked[i++] = ' ';
      --i;
    }
  }
  const std::size_t first = out.size();
  split_tokens(masked, out);
  for (std::size_t k = first; k < out.size(); ++k) {
    if (has_digit(out[k]) || out[k].find(kWildcard) != std::string_view::npos) out[k] = kWildcard;
  }
}

// --- LogFormat -------------------------------------------------------------------------

Regex LogFormat::compile(const std::string& format) {
  std::string pattern = "^";
  std::string separator;
  std::size_t i = 0;
  while (i < format.size()) {
    const std::size_t open = format.find('<', i);
    const std::size_t close =
        open == std::string::npos ? std::string::npos : format.find('>', open);
    const std::size_t literal_end = close == std::string::npos ? format.size() : open;
    for (std::size_t k = i; k < literal_end;) {
      const char c = format[k];
      if (c == ' ') {
        while (k < literal_end && format[k] == ' ') ++k;
        pattern += "\\s+";
        separator += ' ';
        continue;
      }
      pattern += c;
      ++k;
      if (c == '\\' && k < literal_end) {
        // An escaped punctuation character is that character; \d, \s and the like are
        // regex classes, which only the regex handles.
        const char e = format[k++];
        pattern += e;
        const bool punct = std::ispunct(static_cast<unsigned char>(e)) != 0;
        if (punct) separator += e;
        plain_ = plain_ && punct;
      } else if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) {
        plain_ = false;
      } else if (is_space(c)) {
        plain_ = false;
      } else {
        separator += c;
      }
    }
    separators_.push_back(std::move(separator));
    separator.clear();
    if (close == std::string::npos) break;
    const std::string name = format.substr(open + 1, close - open - 1);
    if (name.empty() || name.find_first_of("<> ") != std::string::npos) {
      throw InvalidArgument("log format '" + format + "': bad field name '<" + name + ">'");
    }
    headers_.push_back(name);
    pattern += "(?<" + name + ">.*?)";
    i = close + 1;
  }
  if (separators_.size() == headers_.size()) separators_.emplace_back();  // ends with a field
  return Regex(pattern + "$");
}

LogFormat::LogFormat(const std::string& format) : regex_(compile(format)) {
  bool found = false;
  for (std::size_t h = 0; h < headers_.size(); ++h) {
    groups_.push_back(regex_.group(headers_[h]));
    if (headers_[h] == "Content") {
      content_ = h;
      found = true;
    }
  }
  if (!found) throw InvalidArgument("log format '" + format + "' has no <Content> field");
}

namespace {

// Where a plain separator (a space: one or more whitespace characters, taken greedily)
// that starts at `at` ends, or npos. A literal after a whitespace run is never a space,
// so giving whitespace back could not help: the greedy match is the only one.
std::size_t separator_end(std::string_view s, std::size_t at, std::string_view separator) {
  for (const char c : separator) {
    if (at >= s.size()) return std::string_view::npos;
    if (c == ' ') {
      if (!is_space(s[at])) return std::string_view::npos;
      while (at < s.size() && is_space(s[at])) ++at;
    } else if (s[at++] != c) {
      return std::string_view::npos;
    }
  }
  return at;
}

}  // namespace

// The regex gives every lazy field its shortest extent for which the rest can still match,
// trying extents in increasing order, field by field. Taking for each field the shortest
// extent after which its separator matches is the first path that search explores; when it
// reaches the end of the line, it is the regex's match. Where it does not, the regex
// (which may backtrack) decides.
bool LogFormat::split_plain(std::string_view s, std::vector<std::string_view>& fields) const {
  fields.clear();
  std::size_t at = separator_end(s, 0, separators_[0]);
  if (at == std::string_view::npos) return false;
  for (std::size_t f = 0; f < headers_.size(); ++f) {
    const std::string_view separator = separators_[f + 1];
    const bool last = f + 1 == headers_.size();
    if (last && separator.empty()) {  // the usual "... <Content>": the rest of the line
      fields.push_back(s.substr(at));
      return true;
    }
    std::size_t end = std::string_view::npos;
    for (std::size_t extent = at;; ++extent) {
      end = separator_end(s, extent, separator);
      if (end != std::string_view::npos && (!last || end == s.size())) {
        fields.push_back(s.substr(at, extent - at));
        break;
      }
      if (extent >= s.size()) return false;
    }
    at = end;
  }
  return at == s.size();
}

bool LogFormat::split(std::string_view line, std::vector<std::string>& fields) const {
  const std::string_view s = trim(line);
  if (plain_) {
    thread_local std::vector<std::string_view> views;
    if (split_plain(s, views)) {
      fields.assign(views.begin(), views.end());
      return true;
    }
  }
  const auto m = regex_.match(s);
  if (!m) return false;
  fields.clear();
  for (int g : groups_) {
    const auto& v = (*m)[static_cast<std::size_t>(g)];
    fields.emplace_back(v ? std::string(*v) : std::string());
  }
  return true;
}

bool LogFormat::content_of(std::string_view line, Regex::Scratch& scratch,
                           std::vector<std::string_view>& groups, std::string_view& content) const {
  const std::string_view s = trim(line);
  if (plain_ && split_plain(s, groups)) {
    content = groups[content_];
    return true;
  }
  if (!regex_.match(s, scratch, groups)) return false;
  content = groups[static_cast<std::size_t>(groups_[content_])];
  return true;
}

// --- Drain -----------------------------------------------------------------------------

struct Drain::Impl {
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> children;  // inner levels
    std::vector<std::uint32_t> clusters;  // the leaf's, in creation order
    std::unique_ptr<LeafIndex> index;     // from options.index_leaves_from clusters on
  };
  DrainOptions options;
  ContentMasker masker{DrainOptions{}};
  ContentMasker::Scratch masker_scratch;
  std::string masked;
  std::vector<std::string_view> tokens;
  std::unordered_map<std::size_t, Node> by_length;
  std::vector<std::vector<std::string>> templates;
  std::vector<std::uint32_t> candidates;  // scratch of best()

  // The leaf for `tokens` when routing exists (search), or after creating it (insert).
  // Returns null when the message is too short to reach a leaf: as in the reference
  // implementation, such messages never join a cluster of the tree.
  // In improved mode every message reaches a leaf: it routes by as many first tokens as
  // it has, up to depth - 3.
  Node* route(std::span<const std::string_view> tokens, bool create) {
    int inner = options.depth - 2;
    if (options.improved) {
      inner = std::min(inner, static_cast<int>(tokens.size()) + 1);
    } else if (static_cast<int>(tokens.size()) < inner) {
      return nullptr;
    }
    auto it = by_length.find(tokens.size());
    if (it == by_length.end()) {
      if (!create) return nullptr;
      it = by_length.emplace(tokens.size(), Node{}).first;
    }
    Node* node = &it->second;
    for (int d = 1; d < inner; ++d) {
      const std::string_view token = tokens[static_cast<std::size_t>(d - 1)];
      auto found = node->children.find(token);
      if (found != node->children.end()) {
        node = found->second.get();
        continue;
      }
      if (!create) {
        auto wild = node->children.find(kWildcard);
        if (wild == node->children.end()) return nullptr;
        node = wild->second.get();
        continue;
      }
      const std::size_t size = node->children.size();
      const bool has_wild = node->children.count(kWildcard) > 0;
      std::string_view key;
      if (has_digit(token)) {
        key = kWildcard;
      } else if (has_wild) {
        key = size < static_cast<std::size_t>(options.max_children) ? token : kWildcard;
      } else if (size + 1 < static_cast<std::size_t>(options.max_children)) {
        key = token;
      } else {
        key = kWildcard;
      }
      auto child = node->children.find(key);
      if (child == node->children.end()) {
        child = node->children.emplace(std::string(key), std::make_unique<Node>()).first;
      }
      node = child->second.get();
    }
    return node;
  }

  // The most similar of `clusters` (ascending) at or above the threshold (ties: more
  // wildcards, then the first). In improved mode, a template is no candidate where it has a
  // word (letters only) that the message has another word in place of.
  std::optional<std::size_t> best_of(std::span<const std::uint32_t> clusters,
                                     std::span<const std::string_view> tokens) const {
    double best_sim = -1;
    int best_wild = -1;
    std::optional<std::size_t> choice;
    for (const std::uint32_t c : clusters) {
      const auto& t = templates[c];
      int same = 0, wild = 0;
      bool words_differ = false;
      for (std::size_t i = 0; i < t.size() && !words_differ; ++i) {
        if (t[i] == kWildcard) {
          ++wild;
        } else if (t[i] == tokens[i]) {
          ++same;
        } else if (options.improved) {
          words_differ = is_word(t[i]) && is_word(tokens[i]);
        }
      }
      if (words_differ) continue;
      const double sim = static_cast<double>(same) / static_cast<double>(t.size());
      if (sim > best_sim || (sim == best_sim && wild > best_wild)) {
        best_sim = sim;
        best_wild = wild;
        choice = c;
      }
    }
    if (choice && best_sim >= options.similarity) return choice;
    return std::nullopt;
  }

  // The leaf's cluster for the message (best_of all of them), or none. An empty message
  // joins the leaf's first cluster in improved mode. With an index, only the clusters that
  // share a token the others lack are compared: every other one has exactly the tokens all
  // clusters share, fewer than any candidate, so it can only be the answer when no
  // candidate qualifies and those shared tokens alone reach the threshold (then all are).
  std::optional<std::size_t> best(const Node& leaf, std::span<const std::string_view> tokens) {
    if (options.improved && tokens.empty()) {
      if (leaf.clusters.empty()) return std::nullopt;
      return leaf.clusters.front();
    }
    if (!leaf.index) return best_of(leaf.clusters, tokens);
    std::size_t shared = 0;
    leaf.index->candidates(tokens, leaf.clusters.size(), candidates, shared);
    if (const auto choice = best_of(candidates, tokens)) return choice;
    if (static_cast<double>(shared) / static_cast<double>(tokens.size()) >= options.similarity) {
      return best_of(leaf.clusters, tokens);
    }
    return std::nullopt;
  }

  void add_to_leaf(Node& leaf, std::uint32_t id) {
    leaf.clusters.push_back(id);
    if (leaf.index) {
      leaf.index->add(id);
    } else if (leaf.clusters.size() >= options.index_leaves_from) {
      leaf.index = std::make_unique<LeafIndex>(templates, kWildcard);
      for (const std::uint32_t c : leaf.clusters) leaf.index->add(c);
    }
  }
};

Drain::Drain(DrainOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.depth < 3) throw InvalidArgument("drain: depth must be at least 3");
  if (!(options.similarity >= 0 && options.similarity <= 1)) {
    throw InvalidArgument("drain: similarity threshold must be in [0, 1]");
  }
  if (options.max_children < 2) throw InvalidArgument("drain: max_children must be at least 2");
  impl_->masker = ContentMasker(options);
  impl_->masker_scratch = impl_->masker.scratch();
  impl_->options = std::move(options);
}

Drain::~Drain() = default;
Drain::Drain(Drain&&) noexcept = default;

std::size_t Drain::add(std::string_view content) {
  auto& st = *impl_;
  st.masker.mask(content, st.masker_scratch, st.masked);
  st.tokens.clear();
  drain_tokens(st.masked, st.options.improved, st.tokens);
  return add_tokens(st.tokens);
}

std::size_t Drain::add_tokens(std::span<const std::string_view> tokens) {
  auto& st = *impl_;
  if (Impl::Node* leaf = st.route(tokens, /*create=*/false)) {
    if (const auto c = st.best(*leaf, tokens)) {
      auto& t = st.templates[*c];
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == tokens[i] || t[i] == kWildcard) continue;
        if (leaf->index) leaf->index->remove(static_cast<std::uint32_t>(*c), i);
        t[i] = kWildcard;
      }
      return *c;
    }
  }
  const std::size_t id = st.templates.size();
  if (id >= UINT32_MAX) throw Error("drain: more than 2^32 - 1 clusters");
  st.templates.emplace_back(tokens.begin(), tokens.end());
  if (Impl::Node* leaf = st.route(tokens, /*create=*/true)) {
    st.add_to_leaf(*leaf, static_cast<std::uint32_t>(id));
  }
  return id;
}

std::size_t Drain::clusters() const {
  return impl_->templates.size();
}
std::string Drain::template_of(std::size_t cluster) const {
  return join(impl_->templates.at(cluster));
}

namespace {

// Improved mode's first merge: templates of equal length, in creation order, each absorbed
// by the first representative that agrees with it wherever neither has <*> and shares at
// least two constant tokens and 60% of its positions with it.
bool absorbs(const std::vector<std::string>& rep, const std::vector<std::string>& t);

// The constant tokens a template needs to absorb or be absorbed (see absorbs()).
std::size_t constants_to_merge(std::size_t length) {
  return std::max<std::size_t>(
      2, static_cast<std::size_t>(std::ceil(0.6 * static_cast<double>(length))));
}

std::size_t constants_of(const std::vector<std::string>& t) {
  return static_cast<std::size_t>(std::count_if(
      t.begin(), t.end(), [](const std::string& token) { return token != kWildcard; }));
}

bool absorbs(const std::vector<std::string>& rep, const std::vector<std::string>& t) {
  std::size_t common = 0;
  for (std::size_t i = 0; i < rep.size(); ++i) {
    if (rep[i] == t[i]) {
      common += rep[i] != kWildcard ? 1 : 0;
    } else if (rep[i] != kWildcard && t[i] != kWildcard) {
      return false;
    }
  }
  return common >= 2 && static_cast<double>(common) >= 0.6 * static_cast<double>(rep.size());
}

}  // namespace

// Only templates with enough constants take part: the others (a line of numbers only, whose
// tokens all became <*>) can neither absorb nor be absorbed, and a log with many of them
// would otherwise make this pass quadratic.
std::vector<std::vector<std::string>> Drain::settled_templates() const {
  const auto& templates = impl_->templates;
  if (!impl_->options.improved) return templates;
  std::unordered_map<std::size_t, std::vector<std::size_t>> reps_of_length;  // rep indexes
  std::vector<std::vector<std::string>> reps;
  std::vector<std::size_t> rep_of(templates.size());
  for (std::size_t c = 0; c < templates.size(); ++c) {
    const auto& t = templates[c];
    const std::size_t needed = constants_to_merge(t.size());
    auto& candidates = reps_of_length[t.size()];
    bool absorbed = false;
    for (auto r = candidates.begin(); r != candidates.end() && constants_of(t) >= needed; ++r) {
      auto& rep = reps[*r];
      if (!absorbs(rep, t)) continue;
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (rep[i] != t[i]) rep[i] = kWildcard;
      }
      rep_of[c] = *r;
      absorbed = true;
      if (constants_of(rep) < needed) candidates.erase(r);  // it can absorb no more
      break;
    }
    if (!absorbed) {
      rep_of[c] = reps.size();
      if (constants_of(t) >= needed) candidates.push_back(reps.size());
      reps.push_back(t);
    }
  }
  std::vector<std::vector<std::string>> out;
  out.reserve(templates.size());
  for (std::size_t c = 0; c < templates.size(); ++c) out.push_back(reps[rep_of[c]]);
  return out;
}

std::vector<std::string> event_templates(const std::vector<std::vector<std::string>>& settled,
                                         bool improved) {
  std::vector<std::string> out;
  out.reserve(settled.size());
  for (const auto& t : settled) out.push_back(join(t));
  if (!improved) return out;
  // Clusters with the same constant tokens (two or more), in order, are one event: the
  // first cluster's template names it.
  std::unordered_map<std::string, std::size_t> first_with;
  for (std::size_t c = 0; c < settled.size(); ++c) {
    std::string key;
    std::size_t constants = 0;
    for (const auto& token : settled[c]) {
      if (token == kWildcard) continue;
      key += token;
      key += '\n';
      ++constants;
    }
    if (constants < 2) continue;
    const auto [it, fresh] = first_with.emplace(std::move(key), c);
    if (!fresh) out[c] = out[it->second];
  }
  return out;
}

// --- parsing a file and its accuracy ----------------------------------------------------

ParsedLog parse_lines(const std::vector<std::string>& lines, const DrainPreset& preset) {
  const LogFormat format(preset.format);
  Drain drain(preset.options);
  ParsedLog out;
  out.headers = format.headers();
  std::vector<std::size_t> cluster_of;
  std::vector<std::string> fields;
  for (const auto& line : lines) {
    if (!format.split(line, fields)) {
      ++out.skipped;
      continue;
    }
    cluster_of.push_back(drain.add(fields[format.content()]));
    out.fields.push_back(fields);
  }
  const auto events = event_templates(drain.settled_templates(), preset.options.improved);
  out.templates.reserve(cluster_of.size());
  for (std::size_t c : cluster_of) out.templates.push_back(events[c]);
  return out;
}

ParseAccuracy parse_accuracy(const std::vector<std::string>& parsed,
                             const std::vector<std::string>& groups,
                             const std::vector<std::string>& templates) {
  if (parsed.size() != groups.size() || parsed.size() != templates.size()) {
    throw InvalidArgument("parse accuracy: " + std::to_string(parsed.size()) +
                          " parsed lines against " + std::to_string(groups.size()) +
                          " labelled ones");
  }
  // A parsed group is right when all its lines share one true group and hold all of it.
  std::unordered_map<std::string, std::size_t> true_size;
  for (const auto& g : groups) ++true_size[g];
  std::unordered_map<std::string, std::vector<std::size_t>> parsed_groups;
  for (std::size_t i = 0; i < parsed.size(); ++i) parsed_groups[parsed[i]].push_back(i);
  std::size_t grouped = 0, exact = 0;
  for (const auto& [tpl, members] : parsed_groups) {
    const std::string& g = groups[members.front()];
    bool one = true;
    for (std::size_t i : members) one = one && groups[i] == g;
    if (one && true_size[g] == members.size()) grouped += members.size();
  }
  for (std::size_t i = 0; i < parsed.size(); ++i) exact += parsed[i] == templates[i] ? 1 : 0;
  const double n = static_cast<double>(std::max<std::size_t>(parsed.size(), 1));
  return {static_cast<double>(grouped) / n, static_cast<double>(exact) / n, parsed.size()};
}

std::vector<std::string> read_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("log: cannot open '" + path + "'");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (line.find('\0') != std::string::npos) {
      throw InvalidArgument("log: '" + path + "' is not a text log (line " +
                            std::to_string(lines.size() + 1) + " holds a NUL byte)");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("csv: cannot open '" + path + "'");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) {
        row.push_back(std::move(field));
        rows.push_back(std::move(row));
      }
      row.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (quoted) throw InvalidArgument("csv: '" + path + "' ends inside a quoted field");
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace tessera::logs

namespace tessera::logs {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void write_structured(const ParsedLog& parsed, const std::string& dir, const std::string& name) {
  std::filesystem::create_directories(dir);
  std::unordered_map<std::string, std::size_t> id_of;
  std::vector<std::pair<std::string, std::size_t>> order;  // template, occurrences
  for (const auto& t : parsed.templates) {
    auto [it, fresh] = id_of.emplace(t, order.size());
    if (fresh) order.emplace_back(t, 0);
    ++order[it->second].second;
  }
  const std::string base = (std::filesystem::path(dir) / name).string();
  std::ofstream out(base + "_structured.csv", std::ios::binary);
  out << "LineId";
  for (const auto& h : parsed.headers) out << ',' << csv_field(h);
  out << ",EventId,EventTemplate\n";
  for (std::size_t i = 0; i < parsed.templates.size(); ++i) {
    out << i + 1;
    for (const auto& f : parsed.fields[i]) out << ',' << csv_field(f);
    out << ",E" << id_of[parsed.templates[i]] + 1 << ',' << csv_field(parsed.templates[i]) << '\n';
  }
  std::ofstream templates(base + "_templates.csv", std::ios::binary);
  templates << "EventId,EventTemplate,Occurrences\n";
  for (std::size_t k = 0; k < order.size(); ++k) {
    templates << 'E' << k + 1 << ',' << csv_field(order[k].first) << ',' << order[k].second << '\n';
  }
  if (!out || !templates) throw Error("logs: cannot write '" + base + "_*.csv'");
}

std::vector<std::vector<std::string>> read_csv_columns(const std::string& path,
                                                       std::initializer_list<const char*> names,
                                                       const std::string& what) {
  const auto csv = read_csv(path);
  const std::string where = what + " '" + path + "'";
  if (csv.empty()) throw InvalidArgument(where + ": empty");
  std::vector<std::size_t> at;
  for (const char* name : names) {
    const auto it = std::find(csv[0].begin(), csv[0].end(), name);
    if (it == csv[0].end()) throw InvalidArgument(where + ": no column '" + name + "'");
    at.push_back(static_cast<std::size_t>(it - csv[0].begin()));
  }
  const std::size_t needed = *std::max_element(at.begin(), at.end()) + 1;
  std::vector<std::vector<std::string>> columns(at.size());
  for (std::size_t r = 1; r < csv.size(); ++r) {
    if (csv[r].size() < needed) {
      throw InvalidArgument(where + ": row " + std::to_string(r + 1) + " is short");
    }
    for (std::size_t c = 0; c < at.size(); ++c) columns[c].push_back(csv[r][at[c]]);
  }
  return columns;
}

ParseAccuracy accuracy_against(const ParsedLog& parsed, const std::string& structured_csv) {
  const auto columns = read_csv_columns(structured_csv, {"EventId", "EventTemplate"}, "labels");
  const auto& groups = columns[0];
  const auto& templates = columns[1];
  if (groups.size() != parsed.templates.size()) {
    throw InvalidArgument("labels '" + structured_csv + "' hold " + std::to_string(groups.size()) +
                          " lines, the parse " + std::to_string(parsed.templates.size()));
  }
  return parse_accuracy(parsed.templates, groups, templates);
}

}  // namespace tessera::logs
