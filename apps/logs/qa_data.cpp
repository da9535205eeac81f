#include "logs/qa_data.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : s) {
    if (std::isspace(static_cast<unsigned char>(ch))) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
    } else {
      word += ch;
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

std::vector<std::string> normalized_words(std::string_view s) {
  return split_words(normalize_answer(s));
}

}  // namespace

QaFile parse_qa_text(std::string_view text, const std::string& name) {
  QaFile out;
  std::size_t number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const auto end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) {
      if (end == text.size()) break;
      continue;
    }
    const std::string where = name + ":" + std::to_string(number) + ": ";
    nlohmann::json object;
    try {
      object = nlohmann::json::parse(line);
    } catch (const nlohmann::json::parse_error&) {
      out.skipped.push_back(where + "not valid JSON");
      continue;
    }
    if (!object.is_object()) {
      out.skipped.push_back(where + "not a JSON object");
      continue;
    }
    QaExample ex;
    ex.line = number;
    std::string missing;
    for (auto [key, field] : {std::pair{"Question", &ex.question}, std::pair{"Answer", &ex.answer},
                              std::pair{"RawLog", &ex.raw_log}}) {
      const auto it = object.find(key);
      if (it == object.end() || !it->is_string()) {
        missing += missing.empty() ? key : std::string(", ") + key;
      } else {
        *field = it->get<std::string>();
      }
    }
    if (!missing.empty()) {
      out.skipped.push_back(where + "no string field " + missing);
      continue;
    }
    if (ex.question.find_first_not_of(" \t") == std::string::npos) {
      out.skipped.push_back(where + "empty Question");
      continue;
    }
    out.examples.push_back(std::move(ex));
    if (end == text.size()) break;
  }
  return out;
}

QaFile read_qa_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidArgument("logs: cannot open the QA file '" + path + "'");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_qa_text(text.str(), path);
}

std::string normalize_answer(std::string_view s) {
  std::string lowered;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (std::ispunct(c)) continue;
    lowered += static_cast<char>(std::tolower(c));
  }
  std::string out;
  for (const auto& word : split_words(lowered)) {
    if (word == "a" || word == "an" || word == "the") continue;
    if (!out.empty()) out += ' ';
    out += word;
  }
  return out;
}

bool exact_match(std::string_view prediction, std::string_view gold) {
  return normalize_answer(prediction) == normalize_answer(gold);
}

double token_f1(std::string_view prediction, std::string_view gold) {
  const auto p = normalized_words(prediction);
  const auto g = normalized_words(gold);
  if (p.empty() || g.empty()) return p.empty() && g.empty() ? 1.0 : 0.0;
  std::map<std::string, int> counts;
  for (const auto& w : g) ++counts[w];
  int common = 0;
  for (const auto& w : p) {
    auto it = counts.find(w);
    if (it != counts.end() && it->second > 0) {
      --it->second;
      ++common;
    }
  }
  if (common == 0) return 0.0;
  const double precision = static_cast<double>(common) / static_cast<double>(p.size());
  const double recall = static_cast<double>(common) / static_cast<double>(g.size());
  return 2 * precision * recall / (precision + recall);
}

}  // namespace tessera::logs
