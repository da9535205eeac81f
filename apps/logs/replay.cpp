#include "logs/replay.hpp"

#include <algorithm>
#include <ostream>
#include <unordered_map>

#include <tessera/error.hpp>

#include "logs/drain.hpp"
#include "logs/regex.hpp"

namespace tessera::logs {
namespace {

// SplitMix64: fast, and the same stream on every platform (std::uniform_int_distribution
// is not specified bit for bit).
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A regex that matches a content to its template: literal text (runs of spaces match any
// whitespace), each <*> a lazy group.
std::string template_pattern(const std::string& tpl) {
  static const std::string wildcard = "<*>";
  std::string pattern = "^";
  for (std::size_t i = 0; i < tpl.size();) {
    if (tpl.compare(i, wildcard.size(), wildcard) == 0) {
      pattern += "(.*?)";
      i += wildcard.size();
    } else if (tpl[i] == ' ') {
      while (i < tpl.size() && tpl[i] == ' ') ++i;
      pattern += "\\s+";
    } else {
      const char c = tpl[i++];
      const bool word = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
                        static_cast<unsigned char>(c) >= 0x80;
      if (!word) pattern += '\\';
      pattern += c;
    }
  }
  return pattern + "$";
}

class DigitRenewer {
 public:
  explicit DigitRenewer(std::uint64_t seed) : rng_{seed} {}
  void renew(std::string& line, std::size_t begin, std::size_t end) {
    end = std::min(end, line.size());
    for (std::size_t k = begin; k < end; ++k) {
      if (!is_digit(line[k])) continue;
      // A leading digit stays non-zero, so that numbers keep their length.
      const bool leading = (k == 0 || !is_digit(line[k - 1])) && line[k] != '0';
      if (left_ == 0) {
        bits_ = rng_.next();
        left_ = 16;
      }
      const unsigned d = static_cast<unsigned>(bits_ & 0xf) % 10;
      bits_ >>= 4;
      --left_;
      line[k] = static_cast<char>('0' + (leading && d == 0 ? 1 : d));
    }
  }

 private:
  SplitMix rng_;
  std::uint64_t bits_ = 0;
  int left_ = 0;
};

}  // namespace

std::vector<ReplaySpans> variable_spans(const std::vector<std::string>& sample,
                                        const std::string& structured_csv, std::size_t* unmatched) {
  const auto columns =
      read_csv_columns(structured_csv, {"Content", "EventTemplate"}, "logs replay");
  const auto& contents = columns[0];
  const auto& templates = columns[1];
  if (contents.size() != sample.size()) {
    throw InvalidArgument("logs replay: '" + structured_csv + "' holds " +
                          std::to_string(contents.size()) + " rows, the sample " +
                          std::to_string(sample.size()) + " lines");
  }
  std::unordered_map<std::string, Regex> patterns;
  std::vector<std::string_view> groups;
  std::vector<ReplaySpans> spans(sample.size());
  std::size_t misses = 0;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const std::string& content = contents[i];
    const std::string& tpl = templates[i];
    const std::string& line = sample[i];
    const std::size_t at = content.empty() ? std::string::npos : line.rfind(content);
    if (at == std::string::npos) {
      spans[i].emplace_back(0, line.size() - std::min(line.size(), content.size()));
      ++misses;
      continue;
    }
    spans[i].emplace_back(0, at);
    auto it = patterns.find(tpl);
    if (it == patterns.end()) it = patterns.emplace(tpl, Regex(template_pattern(tpl))).first;
    Regex::Scratch scratch(it->second);
    const std::string_view subject(line.data() + at, content.size());
    if (!it->second.match(subject, scratch, groups)) {
      ++misses;
      continue;
    }
    for (std::size_t g = 1; g < groups.size(); ++g) {
      if (groups[g].data() == nullptr) continue;
      const std::size_t begin = at + static_cast<std::size_t>(groups[g].data() - subject.data());
      spans[i].emplace_back(begin, begin + groups[g].size());
    }
  }
  if (unmatched != nullptr) *unmatched = misses;
  return spans;
}

void replay_log(const std::vector<std::string>& sample, const std::vector<ReplaySpans>& spans,
                std::uint64_t lines, std::uint64_t seed, std::ostream& out) {
  if (sample.empty()) throw InvalidArgument("logs replay: the sample log has no lines");
  if (!spans.empty() && spans.size() != sample.size()) {
    throw InvalidArgument("logs replay: " + std::to_string(spans.size()) + " span lists for " +
                          std::to_string(sample.size()) + " sample lines");
  }
  DigitRenewer renewer(seed);
  std::string buffer, line;
  for (std::uint64_t i = 0; i < lines; ++i) {
    const std::size_t s = static_cast<std::size_t>(i % sample.size());
    line = sample[s];
    if (spans.empty()) {
      renewer.renew(line, 0, line.size());
    } else {
      for (const auto& [begin, end] : spans[s]) renewer.renew(line, begin, end);
    }
    buffer += line;
    buffer += '\n';
    if (buffer.size() >= (1u << 20)) {
      out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
      buffer.clear();
    }
  }
  out.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  if (!out) throw Error("logs replay: cannot write the output");
}

void replay_log(const std::vector<std::string>& sample, std::uint64_t lines, std::uint64_t seed,
                std::ostream& out) {
  replay_log(sample, {}, lines, seed, out);
}

}  // namespace tessera::logs
