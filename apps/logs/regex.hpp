#pragma once
// A compiled PCRE2 regular expression (Perl semantics, as the Python parsers that the
// published Drain figures come from): match with named groups, and replace every match.

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::logs {

class Regex {
 public:
  // Throws InvalidArgument naming the pattern and PCRE2's reason when it does not compile.
  explicit Regex(std::string pattern);
  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  ~Regex();

  // The whole-pattern match of `subject` and its numbered groups (empty optional for a
  // group that took no part); nullopt when it does not match (also when the match would
  // backtrack past PCRE2's limits).
  std::optional<std::vector<std::optional<std::string_view>>> match(std::string_view subject) const;
  // Every non-overlapping match replaced by `replacement` (taken literally).
  std::string replace_all(std::string_view subject, std::string_view replacement) const;
  // The group number of a named group; throws InvalidArgument when there is none.
  int group(const std::string& name) const;
  const std::string& pattern() const noexcept { return pattern_; }

 private:
  struct Impl;
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::logs
