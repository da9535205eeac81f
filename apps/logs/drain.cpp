#include "logs/drain.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <unordered_map>

#include <tessera/error.hpp>

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

std::vector<std::string> tokens_of(std::string_view s) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && is_space(s[i])) ++i;
    const std::size_t start = i;
    while (i < s.size() && !is_space(s[i])) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

bool has_digit(const std::string& token) {
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

// --- LogFormat -------------------------------------------------------------------------

Regex LogFormat::compile(const std::string& format, std::vector<std::string>& headers) {
  std::string pattern = "^";
  std::size_t i = 0;
  while (i < format.size()) {
    const std::size_t open = format.find('<', i);
    const std::size_t close =
        open == std::string::npos ? std::string::npos : format.find('>', open);
    const std::size_t literal_end = close == std::string::npos ? format.size() : open;
    for (std::size_t k = i; k < literal_end;) {
      if (format[k] == ' ') {
        while (k < literal_end && format[k] == ' ') ++k;
        pattern += "\\s+";
      } else {
        pattern += format[k++];
      }
    }
    if (close == std::string::npos) break;
    const std::string name = format.substr(open + 1, close - open - 1);
    if (name.empty() || name.find_first_of("<> ") != std::string::npos) {
      throw InvalidArgument("log format '" + format + "': bad field name '<" + name + ">'");
    }
    headers.push_back(name);
    pattern += "(?<" + name + ">.*?)";
    i = close + 1;
  }
  return Regex(pattern + "$");
}

LogFormat::LogFormat(const std::string& format) : regex_(compile(format, headers_)) {
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

bool LogFormat::split(std::string_view line, std::vector<std::string>& fields) const {
  const auto m = regex_.match(trim(line));
  if (!m) return false;
  fields.clear();
  for (int g : groups_) {
    const auto& v = (*m)[static_cast<std::size_t>(g)];
    fields.emplace_back(v ? std::string(*v) : std::string());
  }
  return true;
}

// --- Drain -----------------------------------------------------------------------------

struct Drain::Impl {
  struct Node {
    std::map<std::string, std::unique_ptr<Node>> children;  // inner levels
    std::vector<std::size_t> clusters;                      // the leaf's, in creation order
  };
  DrainOptions options;
  std::vector<Regex> masks;
  std::unordered_map<std::size_t, Node> by_length;
  std::vector<std::vector<std::string>> templates;

  // The leaf for `tokens` when routing exists (search), or after creating it (insert).
  // Returns null when the message is too short to reach a leaf: as in the reference
  // implementation, such messages never join a cluster of the tree.
  Node* route(const std::vector<std::string>& tokens, bool create) {
    const int inner = options.depth - 2;
    if (static_cast<int>(tokens.size()) < inner) return nullptr;
    auto it = by_length.find(tokens.size());
    if (it == by_length.end()) {
      if (!create) return nullptr;
      it = by_length.emplace(tokens.size(), Node{}).first;
    }
    Node* node = &it->second;
    for (int d = 1; d < inner; ++d) {
      const std::string& token = tokens[static_cast<std::size_t>(d - 1)];
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
      std::string key;
      if (has_digit(token)) {
        key = kWildcard;
      } else if (has_wild) {
        key = size < static_cast<std::size_t>(options.max_children) ? token : kWildcard;
      } else if (size + 1 < static_cast<std::size_t>(options.max_children)) {
        key = token;
      } else {
        key = kWildcard;
      }
      auto& child = node->children[key];
      if (!child) child = std::make_unique<Node>();
      node = child.get();
    }
    return node;
  }

  // The most similar cluster of the leaf at or above the threshold (ties: more wildcards).
  std::optional<std::size_t> best(const Node& leaf, const std::vector<std::string>& tokens) const {
    double best_sim = -1;
    int best_wild = -1;
    std::optional<std::size_t> choice;
    for (std::size_t c : leaf.clusters) {
      const auto& t = templates[c];
      int same = 0, wild = 0;
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] == kWildcard) {
          ++wild;
        } else if (t[i] == tokens[i]) {
          ++same;
        }
      }
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
};

Drain::Drain(DrainOptions options) : impl_(std::make_unique<Impl>()) {
  if (options.depth < 3) throw InvalidArgument("drain: depth must be at least 3");
  if (!(options.similarity >= 0 && options.similarity <= 1)) {
    throw InvalidArgument("drain: similarity threshold must be in [0, 1]");
  }
  if (options.max_children < 2) throw InvalidArgument("drain: max_children must be at least 2");
  for (const auto& m : options.masks) impl_->masks.emplace_back(m);
  impl_->options = std::move(options);
}

Drain::~Drain() = default;
Drain::Drain(Drain&&) noexcept = default;

std::size_t Drain::add(std::string_view content) {
  std::string masked(content);
  for (const auto& r : impl_->masks) masked = r.replace_all(masked, kWildcard);
  auto tokens = tokens_of(masked);
  auto& st = *impl_;
  if (Impl::Node* leaf = st.route(tokens, /*create=*/false)) {
    if (const auto c = st.best(*leaf, tokens)) {
      auto& t = st.templates[*c];
      for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != tokens[i]) t[i] = kWildcard;
      }
      return *c;
    }
  }
  const std::size_t id = st.templates.size();
  st.templates.push_back(std::move(tokens));
  if (Impl::Node* leaf = st.route(st.templates[id], /*create=*/true)) leaf->clusters.push_back(id);
  return id;
}

std::size_t Drain::clusters() const {
  return impl_->templates.size();
}
std::string Drain::template_of(std::size_t cluster) const {
  return join(impl_->templates.at(cluster));
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
  out.templates.reserve(cluster_of.size());
  for (std::size_t c : cluster_of) out.templates.push_back(drain.template_of(c));
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
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

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

ParseAccuracy accuracy_against(const ParsedLog& parsed, const std::string& structured_csv) {
  const auto csv = read_csv(structured_csv);
  if (csv.empty()) throw InvalidArgument("labels '" + structured_csv + "': empty");
  const auto& header = csv[0];
  const auto column = [&](const char* name) {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      throw InvalidArgument("labels '" + structured_csv + "': no column '" + name + "'");
    }
    return static_cast<std::size_t>(it - header.begin());
  };
  const std::size_t id = column("EventId"), tpl = column("EventTemplate");
  std::vector<std::string> groups, templates;
  for (std::size_t r = 1; r < csv.size(); ++r) {
    if (csv[r].size() <= std::max(id, tpl)) {
      throw InvalidArgument("labels '" + structured_csv + "': row " + std::to_string(r + 1) +
                            " is short");
    }
    groups.push_back(csv[r][id]);
    templates.push_back(csv[r][tpl]);
  }
  if (groups.size() != parsed.templates.size()) {
    throw InvalidArgument("labels '" + structured_csv + "' hold " + std::to_string(groups.size()) +
                          " lines, the parse " + std::to_string(parsed.templates.size()));
  }
  return parse_accuracy(parsed.templates, groups, templates);
}

}  // namespace tessera::logs
