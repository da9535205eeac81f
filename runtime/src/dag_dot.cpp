// Graphviz DOT reader for Dag: a practical subset of the language (digraph, node and edge
// statements with attribute lists, edge chains, comments, quoted ids).

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>

#include "dag_order.hpp"
#include "tessera/dag.hpp"
#include "tessera/error.hpp"

namespace tessera {
namespace {

struct Token {
  enum Kind { id, punct, arrow, end } kind;
  std::string text;
  int line;
};

class DotLexer {
 public:
  DotLexer(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

  Token next() {
    skip_space_and_comments();
    if (pos_ >= text_.size()) return {Token::end, "", line_};
    const char c = text_[pos_];
    if (c == '-' && pos_ + 1 < text_.size() && (text_[pos_ + 1] == '>' || text_[pos_ + 1] == '-')) {
      pos_ += 2;
      return {Token::arrow, "->", line_};
    }
    if (std::string_view("{}[]=;,:").find(c) != std::string_view::npos) {
      ++pos_;
      return {Token::punct, std::string(1, c), line_};
    }
    if (c == '"') return quoted();
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
        (c & 0x80)) {
      const std::size_t start = pos_;
      while (pos_ < text_.size() &&
             (std::isalnum(static_cast<unsigned char>(text_[pos_])) || text_[pos_] == '_' ||
              text_[pos_] == '.' || (text_[pos_] & 0x80) ||
              (text_[pos_] == '-' && (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '>')))) {
        ++pos_;
      }
      return {Token::id, std::string(text_.substr(start, pos_ - start)), line_};
    }
    fail("unexpected character '" + std::string(1, c) + "'");
  }

  [[noreturn]] void fail(const std::string& why) const {
    throw InvalidArgument(source_ + ":" + std::to_string(line_) + ": " + why);
  }

 private:
  void skip_space_and_comments() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        ++pos_;
      } else if (std::isspace(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '/') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '#' && (pos_ == 0 || text_[pos_ - 1] == '\n')) {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      } else if (c == '/' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '*') {
        const std::size_t close = text_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) fail("unterminated comment");
        for (std::size_t i = pos_; i < close; ++i) line_ += text_[i] == '\n';
        pos_ = close + 2;
      } else {
        break;
      }
    }
  }

  Token quoted() {
    const int line = line_;
    std::string value;
    ++pos_;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      if (text_[pos_] == '\\' && pos_ + 1 < text_.size()) {
        ++pos_;
        if (text_[pos_] != '"' && text_[pos_] != '\\') value += '\\';
      }
      if (text_[pos_] == '\n') ++line_;
      value += text_[pos_++];
    }
    if (pos_ >= text_.size()) fail("unterminated string");
    ++pos_;
    return {Token::id, value, line};
  }

  std::string_view text_;
  std::string source_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

using Attributes = std::map<std::string, std::string>;

class DotParser {
 public:
  DotParser(std::string_view text, std::string source)
      : lexer_(text, source), source_(std::move(source)) {
    advance();
  }

  Dag parse() {
    if (is_id("strict")) advance();
    if (!is_id("digraph") && !is_id("graph")) lexer_.fail("expected 'digraph'");
    advance();
    Dag dag;
    dag.name = "dot";
    if (token_.kind == Token::id) {
      dag.name = token_.text;
      advance();
    }
    expect("{");
    while (!is_punct("}")) {
      if (token_.kind == Token::end) lexer_.fail("missing '}'");
      statement();
    }
    advance();
    return build(std::move(dag));
  }

 private:
  struct Node {
    std::string id;
    Attributes attrs;
  };
  struct Edge {
    std::size_t from, to;
    Attributes attrs;
  };

  void advance() { token_ = lexer_.next(); }
  bool is_id(std::string_view s) const { return token_.kind == Token::id && token_.text == s; }
  bool is_punct(std::string_view s) const {
    return token_.kind == Token::punct && token_.text == s;
  }
  void expect(std::string_view s) {
    if (!is_punct(s)) lexer_.fail("expected '" + std::string(s) + "', got '" + token_.text + "'");
    advance();
  }
  std::string take_id(const char* what) {
    if (token_.kind != Token::id)
      lexer_.fail(std::string("expected ") + what + ", got '" + token_.text + "'");
    std::string text = token_.text;
    advance();
    return text;
  }

  Attributes attributes() {
    Attributes attrs;
    while (is_punct("[")) {
      advance();
      while (!is_punct("]")) {
        const std::string key = take_id("an attribute name");
        expect("=");
        attrs[key] = take_id("an attribute value");
        if (is_punct(",") || is_punct(";")) advance();
      }
      advance();
    }
    return attrs;
  }

  std::size_t node(const std::string& id) {
    auto [it, inserted] = node_index_.emplace(id, nodes_.size());
    if (inserted) nodes_.push_back({id, {}});
    return it->second;
  }

  void statement() {
    if (is_id("subgraph")) lexer_.fail("subgraphs are not supported");
    if (is_id("graph") || is_id("node") || is_id("edge")) {
      advance();
      attributes();  // defaults: not needed for task graphs
    } else {
      const std::string first = take_id("a node id");
      if (is_punct("=")) {  // a graph attribute
        advance();
        take_id("a value");
      } else {
        std::vector<std::size_t> chain{node(first)};
        while (token_.kind == Token::arrow) {
          advance();
          chain.push_back(node(take_id("a node id")));
        }
        const Attributes attrs = attributes();
        if (chain.size() == 1) {
          for (const auto& [k, v] : attrs) nodes_[chain[0]].attrs[k] = v;
        } else {
          for (std::size_t i = 0; i + 1 < chain.size(); ++i)
            edges_.push_back({chain[i], chain[i + 1], attrs});
        }
      }
    }
    if (is_punct(";") || is_punct(",")) advance();
  }

  double number(const Node& n, const std::string& key, const std::string& text) const {
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0) ||
        !std::isfinite(value)) {
      throw InvalidArgument(source_ + ": node '" + n.id + "': attribute " + key + "='" + text +
                            "' is not a non-negative number");
    }
    return value;
  }

  Dag build(Dag dag) {
    std::vector<DagTask> tasks;
    std::vector<std::vector<std::size_t>> after(nodes_.size());
    for (const Node& n : nodes_) {
      DagTask t;
      t.id = n.id;
      for (const char* key : {"type", "codelet", "label"}) {
        auto it = n.attrs.find(key);
        if (it != n.attrs.end() && !it->second.empty()) {
          t.type = it->second;
          break;
        }
      }
      if (t.type.empty()) t.type = n.id;
      for (const auto& [key, value] : n.attrs) {
        if (key == "flops") t.flops = number(n, key, value);
        if (key == "priority")
          t.priority = static_cast<int>(std::min(number(n, key, value), 2.0e9));
        if (key == "cost_us") t.cost_us["*"] = number(n, key, value);
        if (key.size() > 3 && key.substr(key.size() - 3) == "_us" && key != "cost_us") {
          t.cost_us[key.substr(0, key.size() - 3)] = number(n, key, value);
        }
      }
      tasks.push_back(std::move(t));
    }
    for (const Edge& e : edges_) {
      auto bytes = e.attrs.find("bytes");
      if (bytes == e.attrs.end()) {
        after[e.to].push_back(e.from);
        continue;
      }
      const double size = number(nodes_[e.from], "bytes", bytes->second);
      const std::size_t data = dag.data.size();
      dag.data.push_back({nodes_[e.from].id + "->" + nodes_[e.to].id,
                          static_cast<std::uint64_t>(std::min(size, 9.0e18))});
      tasks[e.from].access.push_back({data, Access::W});
      tasks[e.to].access.push_back({data, Access::R});
      after[e.to].push_back(e.from);  // keeps the writer first in the order
    }
    detail::order_by_after(tasks, after, source_);
    detail::check_task_numbers(tasks, source_);
    // The data edges are now implied by the accesses; keep only the explicit ones.
    dag.tasks = std::move(tasks);
    return dag;
  }

  DotLexer lexer_;
  std::string source_;
  Token token_{Token::end, "", 0};
  std::vector<Node> nodes_;
  std::map<std::string, std::size_t> node_index_;
  std::vector<Edge> edges_;
};

}  // namespace

Dag Dag::parse_dot(std::string_view text, std::string_view source) {
  return DotParser(text, std::string(source)).parse();
}

}  // namespace tessera
