#include "logs/log_terms.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <xapian.h>

namespace tessera::logs {
namespace {

// Characters that belong to an identifier; anything else separates words.
bool identifier_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/' || c == ':' || c == '=' ||
         c == '@' || c >= 0x80;
}
bool piece_separator(char c) {
  return c == '_' || c == '-' || c == '.' || c == '/' || c == ':' || c == '=' || c == '@';
}
std::string lowered(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}
bool alphabetic(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return std::isalpha(static_cast<unsigned char>(ch)); });
}

constexpr std::array<std::string_view, 46> kStopWords = {
    "a",    "an",    "the",  "is",    "are", "was",  "were",  "be",   "been",  "do",
    "does", "did",   "what", "which", "who", "whom", "whose", "when", "where", "why",
    "how",  "of",    "in",   "on",    "at",  "to",   "for",   "from", "by",    "with",
    "and",  "or",    "that", "this",  "it",  "its",  "i",     "my",   "me",    "we",
    "you",  "there", "has",  "have",  "can", "as"};

bool stop_word(std::string_view w) {
  return std::find(kStopWords.begin(), kStopWords.end(), w) != kStopWords.end();
}

void add_terms(std::string_view text, bool drop_stop_words, std::vector<std::string>& out) {
  static thread_local Xapian::Stem stem("english");
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !identifier_char(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && identifier_char(static_cast<unsigned char>(text[j]))) ++j;
    std::string_view word = text.substr(i, j - i);
    i = j;
    // Separators at the ends are punctuation ("sent.", ":50010", "dst=/"), not part of it.
    while (!word.empty() && piece_separator(word.back())) word.remove_suffix(1);
    while (!word.empty() && piece_separator(word.front()) && word.front() != '/' &&
           word.front() != '-') {
      word.remove_prefix(1);
    }
    if (word.empty()) continue;
    const std::string whole = lowered(word);
    if (drop_stop_words && stop_word(whole)) continue;
    out.push_back(whole);
    std::size_t p = 0;
    std::size_t pieces = 0;
    const std::size_t first = out.size();
    while (p < whole.size()) {
      while (p < whole.size() && piece_separator(whole[p])) ++p;
      std::size_t q = p;
      while (q < whole.size() && !piece_separator(whole[q])) ++q;
      if (q > p) {
        out.push_back(whole.substr(p, q - p));
        ++pieces;
      }
      p = q;
    }
    // A word without separators is its own only piece: keep it once.
    if (pieces == 1 && out.back() == whole) out.pop_back();
    const std::size_t last = out.size();
    for (std::size_t k = first - 1; k < last; ++k) {
      const std::string& t = out[k];
      if (t.size() > 2 && alphabetic(t) && !(drop_stop_words && stop_word(t))) {
        out.push_back("Z" + stem(t));
      }
    }
  }
}

}  // namespace

std::vector<std::string> log_terms(std::string_view text) {
  std::vector<std::string> out;
  add_terms(text, false, out);
  return out;
}

std::vector<std::string> question_terms(std::string_view question) {
  std::vector<std::string> out;
  add_terms(question, true, out);
  out.erase(
      std::remove_if(out.begin(), out.end(), [](const std::string& t) { return stop_word(t); }),
      out.end());
  return out;
}

}  // namespace tessera::logs
