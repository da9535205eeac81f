#include "logs/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <tessera/error.hpp>

namespace tessera::logs {

struct Regex::Impl {
  pcre2_code* code = nullptr;
  ~Impl() { pcre2_code_free(code); }
};

namespace {
std::string pcre2_message(int code) {
  PCRE2_UCHAR buffer[256];
  pcre2_get_error_message(code, buffer, sizeof buffer);
  return reinterpret_cast<const char*>(buffer);
}

struct MatchData {
  explicit MatchData(const pcre2_code* code)
      : data(pcre2_match_data_create_from_pattern(code, nullptr)) {}
  ~MatchData() { pcre2_match_data_free(data); }
  pcre2_match_data* data;
};
}  // namespace

Regex::Regex(std::string pattern) : pattern_(std::move(pattern)), impl_(std::make_unique<Impl>()) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  impl_->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern_.data()), pattern_.size(), 0,
                              &error, &offset, nullptr);
  if (impl_->code == nullptr) {
    throw InvalidArgument("regex '" + pattern_ + "' does not compile at offset " +
                          std::to_string(offset) + ": " + pcre2_message(error));
  }
  // The JIT makes masking several times faster; without it (some platforms) PCRE2 interprets.
  pcre2_jit_compile(impl_->code, PCRE2_JIT_COMPLETE);
}

Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

std::optional<std::vector<std::optional<std::string_view>>> Regex::match(
    std::string_view subject) const {
  MatchData md(impl_->code);
  const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), 0, 0, md.data, nullptr);
  // A line on which the lazy fields of a format backtrack past PCRE2's limits is a line
  // that does not fit the format (prose, a binary record): no match, not an error.
  if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
    return std::nullopt;
  }
  if (rc < 0) throw Error("regex '" + pattern_ + "': " + pcre2_message(rc));
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(md.data);
  const auto count = pcre2_get_ovector_count(md.data);
  std::vector<std::optional<std::string_view>> groups(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    if (ovector[2 * i] == PCRE2_UNSET) continue;
    groups[i] = subject.substr(ovector[2 * i], ovector[2 * i + 1] - ovector[2 * i]);
  }
  return groups;
}

std::string Regex::replace_all(std::string_view subject, std::string_view replacement) const {
  std::string out;
  MatchData md(impl_->code);
  std::size_t start = 0;
  while (start <= subject.size()) {
    const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                               subject.size(), start, 0, md.data, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw Error("regex '" + pattern_ + "': " + pcre2_message(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.data);
    out.append(subject.substr(start, ov[0] - start));
    out.append(replacement);
    if (ov[1] == ov[0]) {  // an empty match: copy one character and move on
      if (ov[1] < subject.size()) out.push_back(subject[ov[1]]);
      start = ov[1] + 1;
    } else {
      start = ov[1];
    }
  }
  if (start < subject.size()) out.append(subject.substr(start));
  return out;
}

int Regex::group(const std::string& name) const {
  const int n =
      pcre2_substring_number_from_name(impl_->code, reinterpret_cast<PCRE2_SPTR>(name.c_str()));
  if (n < 0) throw InvalidArgument("regex '" + pattern_ + "' has no group named '" + name + "'");
  return n;
}

}  // namespace tessera::logs
