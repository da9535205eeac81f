#include "logs/regex.hpp"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <utility>

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

pcre2_match_data* data_of(void* p) {
  return static_cast<pcre2_match_data*>(p);
}
}  // namespace

Regex::Scratch::Scratch(const Regex& regex)
    : data_(pcre2_match_data_create_from_pattern(regex.impl_->code, nullptr)) {
  if (data_ == nullptr) throw Error("regex '" + regex.pattern_ + "': out of memory");
}
Regex::Scratch::Scratch(Scratch&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
Regex::Scratch& Regex::Scratch::operator=(Scratch&& other) noexcept {
  if (this != &other) {
    pcre2_match_data_free(data_of(data_));
    data_ = std::exchange(other.data_, nullptr);
  }
  return *this;
}
Regex::Scratch::~Scratch() {
  pcre2_match_data_free(data_of(data_));
}

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

bool Regex::match(std::string_view subject, Scratch& scratch,
                  std::vector<std::string_view>& groups) const {
  pcre2_match_data* md = data_of(scratch.data_);
  const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                             subject.size(), 0, 0, md, nullptr);
  // A line on which the lazy fields of a format backtrack past PCRE2's limits is a line
  // that does not fit the format (prose, a binary record): no match, not an error.
  if (rc == PCRE2_ERROR_NOMATCH || rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT) {
    return false;
  }
  if (rc < 0) throw Error("regex '" + pattern_ + "': " + pcre2_message(rc));
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(md);
  const auto count = pcre2_get_ovector_count(md);
  groups.assign(count, std::string_view());
  for (std::uint32_t i = 0; i < count; ++i) {
    if (ovector[2 * i] == PCRE2_UNSET) continue;
    groups[i] = subject.substr(ovector[2 * i], ovector[2 * i + 1] - ovector[2 * i]);
  }
  return true;
}

std::optional<std::vector<std::optional<std::string_view>>> Regex::match(
    std::string_view subject) const {
  Scratch scratch(*this);
  std::vector<std::string_view> views;
  if (!match(subject, scratch, views)) return std::nullopt;
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer(data_of(scratch.data_));
  std::vector<std::optional<std::string_view>> groups(views.size());
  for (std::size_t i = 0; i < views.size(); ++i) {
    if (ovector[2 * i] != PCRE2_UNSET) groups[i] = views[i];
  }
  return groups;
}

void Regex::replace_all(std::string_view subject, std::string_view replacement, Scratch& scratch,
                        std::string& out) const {
  pcre2_match_data* md = data_of(scratch.data_);
  std::size_t start = 0;
  while (start <= subject.size()) {
    const int rc = pcre2_match(impl_->code, reinterpret_cast<PCRE2_SPTR>(subject.data()),
                               subject.size(), start, 0, md, nullptr);
    if (rc == PCRE2_ERROR_NOMATCH) break;
    if (rc < 0) throw Error("regex '" + pattern_ + "': " + pcre2_message(rc));
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md);
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
}

std::string Regex::replace_all(std::string_view subject, std::string_view replacement) const {
  Scratch scratch(*this);
  std::string out;
  replace_all(subject, replacement, scratch, out);
  return out;
}

int Regex::group(const std::string& name) const {
  const int n =
      pcre2_substring_number_from_name(impl_->code, reinterpret_cast<PCRE2_SPTR>(name.c_str()));
  if (n < 0) throw InvalidArgument("regex '" + pattern_ + "' has no group named '" + name + "'");
  return n;
}

}  // namespace tessera::logs
