#include "logs/answer_candidates.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include <xapian.h>

namespace tessera::logs {
namespace {

bool strip_front(char c) {
  return std::string_view("([{'\"<").find(c) != std::string_view::npos;
}
bool strip_back(char c) {
  return std::string_view(",.;:)]}'\">!?").find(c) != std::string_view::npos;
}
bool has_digit(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
std::string stem_of(std::string_view word) {
  static thread_local Xapian::Stem stem("english");
  const std::string w = lower(word);
  const bool alpha = !w.empty() && std::all_of(w.begin(), w.end(), [](char c) {
    return std::isalpha(static_cast<unsigned char>(c));
  });
  return alpha ? stem(w) : w;
}

void split_whitespace(std::string_view s, std::vector<std::pair<std::size_t, std::size_t>>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    std::size_t j = i;
    while (j < s.size() && !std::isspace(static_cast<unsigned char>(s[j]))) ++j;
    if (j > i) out.emplace_back(i, j);
    i = j;
  }
}

// The shape of a unit's text: N number, P IP address, / path, I identifier with _ or -,
// W capitalized word, w lower-case word, M anything else.
char shape_of(std::string_view s) {
  if (s.empty()) return 'M';
  const bool digits_dots = std::all_of(s.begin(), s.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ',';
  });
  if (digits_dots && has_digit(s)) return std::count(s.begin(), s.end(), '.') == 3 ? 'P' : 'N';
  if (s.front() == '/') return '/';
  if (s.find('_') != std::string_view::npos ||
      (s.find('-') != std::string_view::npos && has_digit(s)))
    return 'I';
  const bool alpha = std::all_of(
      s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
  if (alpha) return std::isupper(static_cast<unsigned char>(s.front())) ? 'W' : 'w';
  return 'M';
}

std::uint32_t fnv1a(std::string_view s) {
  std::uint32_t h = 2166136261u;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 16777619u;
  }
  return h;
}

struct Question {
  std::vector<std::string> words;       // lower case, in order
  std::set<std::string> stems;          // of every word
  std::set<std::string> content_stems;  // without question words and articles
  std::string wh1, wh2;
};

bool question_word(std::string_view w) {
  static const std::set<std::string, std::less<>> kWords = {
      "what", "which", "who",  "whom", "whose", "when", "where", "why",  "how",
      "is",   "are",   "was",  "were", "do",    "does", "did",   "the",  "a",
      "an",   "of",    "to",   "in",   "on",    "for",  "by",    "with", "i",
      "it",   "be",    "been", "can",  "has",   "have", "there"};
  return kWords.count(w) > 0;
}

Question analyse(std::string_view text) {
  Question q;
  std::string word;
  auto flush = [&] {
    while (!word.empty() && strip_back(word.back())) word.pop_back();
    if (!word.empty()) q.words.push_back(lower(word));
    word.clear();
  };
  for (char c : text) {
    if (std::isspace(static_cast<unsigned char>(c)) || c == '?' || c == '=') {
      flush();
    } else if (!(word.empty() && strip_front(c))) {
      word += c;
    }
  }
  flush();
  for (const auto& w : q.words) {
    q.stems.insert(stem_of(w));
    if (!question_word(w)) q.content_stems.insert(stem_of(w));
  }
  q.wh1 = q.words.empty() ? "" : q.words[0];
  q.wh2 = q.words.size() < 2 ? q.wh1 : q.words[0] + " " + q.words[1];
  return q;
}

class FeatureWriter {
 public:
  explicit FeatureWriter(FeatureVector& out) : out_(out) { out_.clear(); }
  void dense(std::uint32_t index, double value) { dense_[index] = static_cast<float>(value); }
  void hashed(std::string_view a, std::string_view b) {
    std::string key(a);
    key += '\x1f';
    key += b;
    hashed_.insert(kDenseFeatures + fnv1a(key) % kHashBuckets);
  }
  void finish() {
    for (std::uint32_t i = 0; i < kDenseFeatures; ++i) out_.emplace_back(i, dense_[i]);
    for (auto h : hashed_) out_.emplace_back(h, 1.0f);
  }

 private:
  FeatureVector& out_;
  float dense_[kDenseFeatures] = {};
  std::set<std::uint32_t> hashed_;
};

}  // namespace

std::vector<AnswerUnit> answer_units(std::string_view content, std::string_view event) {
  std::vector<std::pair<std::size_t, std::size_t>> tokens, slots;
  split_whitespace(content, tokens);
  split_whitespace(event, slots);
  const bool aligned = !event.empty() && slots.size() == tokens.size();
  std::vector<AnswerUnit> units;
  for (std::size_t t = 0; t < tokens.size(); ++t) {
    auto [b, e] = tokens[t];
    const std::string_view token = content.substr(b, e - b);
    const bool variable =
        aligned ? event.substr(slots[t].first, slots[t].second - slots[t].first).find("<*>") !=
                      std::string_view::npos
                : has_digit(token);
    auto push = [&](std::size_t ub, std::size_t ue, bool var) {
      while (ub < ue && strip_front(content[ub])) ++ub;
      while (ue > ub && strip_back(content[ue - 1])) --ue;
      if (ue > ub) units.push_back({ub, ue, var});
    };
    const auto eq = token.find('=');
    if (eq != std::string_view::npos) {
      push(b, b + eq, false);
      push(b + eq + 1, e, variable);
    } else {
      push(b, e, variable);
    }
  }
  return units;
}

std::vector<AnswerCandidate> answer_candidates(std::string_view content,
                                               const std::vector<AnswerUnit>& units,
                                               std::size_t max_units) {
  std::vector<AnswerCandidate> out;
  for (std::size_t i = 0; i < units.size(); ++i) {
    for (std::size_t n = 1; n <= max_units && i + n <= units.size(); ++n) {
      const auto b = units[i].begin;
      const auto e = units[i + n - 1].end;
      out.push_back({i, n, std::string(content.substr(b, e - b))});
    }
  }
  return out;
}

std::vector<FeatureVector> candidate_features(std::string_view question_text,
                                              std::string_view content,
                                              const std::vector<AnswerUnit>& units,
                                              const std::vector<AnswerCandidate>& candidates) {
  const Question q = analyse(question_text);
  const std::size_t n = units.size();
  std::vector<std::string> text(n), stems(n);
  std::vector<char> in_question(n), shape(n);
  std::size_t shared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    text[i] = std::string(content.substr(units[i].begin, units[i].end - units[i].begin));
    stems[i] = stem_of(text[i]);
    in_question[i] = q.stems.count(stems[i]) > 0 ? 1 : 0;
    shared += static_cast<std::size_t>(in_question[i]);
    shape[i] = shape_of(text[i]);
  }
  auto unit_text = [&](std::ptrdiff_t i) -> std::string {
    if (i < 0) return "<start>";
    if (static_cast<std::size_t>(i) >= n) return "<end>";
    return stems[static_cast<std::size_t>(i)];
  };
  std::vector<FeatureVector> rows(candidates.size());
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const auto& cand = candidates[c];
    const std::size_t first = cand.first, last = cand.first + cand.units - 1;
    FeatureWriter f(rows[c]);
    bool any_var = false, all_var = true, numeric = true;
    std::size_t in_q = 0;
    std::string shapes;
    for (std::size_t i = first; i <= last; ++i) {
      any_var = any_var || units[i].variable;
      all_var = all_var && units[i].variable;
      numeric = numeric && shape[i] == 'N';
      in_q += static_cast<std::size_t>(in_question[i]);
      shapes += shape[i];
    }
    auto in_q_at = [&](std::ptrdiff_t i) {
      return i >= 0 && static_cast<std::size_t>(i) < n && in_question[static_cast<std::size_t>(i)];
    };
    const auto lf = static_cast<std::ptrdiff_t>(first), ll = static_cast<std::ptrdiff_t>(last);
    double left_distance = 10, right_distance = 10;
    for (std::ptrdiff_t i = lf - 1; i >= 0; --i) {
      if (in_q_at(i)) {
        left_distance = std::min<double>(10, static_cast<double>(lf - i));
        break;
      }
    }
    for (std::ptrdiff_t i = ll + 1; i < static_cast<std::ptrdiff_t>(n); ++i) {
      if (in_q_at(i)) {
        right_distance = std::min<double>(10, static_cast<double>(i - ll));
        break;
      }
    }
    const std::string lowered = lower(cand.text);
    f.dense(0, static_cast<double>(cand.units));
    f.dense(1, n > 1 ? static_cast<double>(first) / static_cast<double>(n - 1) : 0.0);
    f.dense(2, static_cast<double>(first));
    f.dense(3, static_cast<double>(n - last - 1));
    f.dense(4, any_var);
    f.dense(5, all_var);
    f.dense(6, has_digit(cand.text));
    f.dense(7, numeric);
    f.dense(8, std::find(q.words.begin(), q.words.end(), lowered) != q.words.end());
    f.dense(9, static_cast<double>(in_q) / static_cast<double>(cand.units));
    f.dense(10, in_q_at(lf - 1));
    f.dense(11, in_q_at(lf - 2));
    f.dense(12, in_q_at(ll + 1));
    f.dense(13, in_q_at(ll + 2));
    f.dense(14, left_distance);
    f.dense(15, right_distance);
    f.dense(16, static_cast<double>(cand.text.size()));
    f.dense(17, static_cast<double>(n));
    f.dense(18, first == 0);
    f.dense(19, last + 1 == n);
    f.dense(20, first > 0 && units[first - 1].variable);
    f.dense(21, last + 1 < n && units[last + 1].variable);
    f.dense(22, units[first].begin > 0 && content[units[first].begin - 1] == '=');
    f.dense(23, units[last].end < content.size() && content[units[last].end] == ':');
    f.dense(24, static_cast<double>(q.words.size()));
    f.dense(25, std::isupper(static_cast<unsigned char>(cand.text[0])) != 0);
    f.dense(26, shape[first] == '/');
    f.dense(27, shape[first] == 'P');
    f.dense(28, static_cast<double>(shared));
    f.dense(29, cand.units > 1 && shape[last] != 'N' && shape[last - 1] == 'N');
    const std::string left = unit_text(lf - 1), right = unit_text(ll + 1);
    const std::string span = any_var ? std::string("<var>") : stem_of(lowered);
    f.hashed("wh1-shape", q.wh1 + "|" + shapes);
    f.hashed("wh2-shape", q.wh2 + "|" + shapes);
    f.hashed("wh2-left", q.wh2 + "|" + left);
    f.hashed("wh2-right", q.wh2 + "|" + right);
    f.hashed("wh2-span", q.wh2 + "|" + span);
    f.hashed("wh1-span", q.wh1 + "|" + span);
    f.hashed("shape-left", shapes + "|" + left);
    f.hashed("shape-right", shapes + "|" + right);
    f.hashed("left", left);
    f.hashed("right", right);
    f.hashed("span", span);
    f.hashed("shape", shapes);
    for (const auto& w : q.content_stems) {
      f.hashed("q-left", w + "|" + left);
      f.hashed("q-right", w + "|" + right);
      f.hashed("q-span", w + "|" + span);
      f.hashed("q-shape", w + "|" + shapes);
    }
    f.finish();
  }
  return rows;
}

std::string first_variable(std::string_view content, const std::vector<AnswerUnit>& units) {
  if (units.empty()) return std::string(content);
  const auto it =
      std::find_if(units.begin(), units.end(), [](const AnswerUnit& u) { return u.variable; });
  const auto& u = it == units.end() ? units.front() : *it;
  return std::string(content.substr(u.begin, u.end - u.begin));
}

}  // namespace tessera::logs
