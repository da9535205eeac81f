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
  // PCRE2's per-match working memory. Matching allocates one unless given one: a thread
  // that matches many lines keeps one Scratch per Regex (not shared between threads).
  class Scratch {
   public:
    explicit Scratch(const Regex& regex);
    Scratch(Scratch&&) noexcept;
    Scratch& operator=(Scratch&&) noexcept;
    ~Scratch();

   private:
    friend class Regex;
    void* data_ = nullptr;
  };

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
  // The same, reusing `scratch` (made for this Regex) and appending to `out`.
  void replace_all(std::string_view subject, std::string_view replacement, Scratch& scratch,
                   std::string& out) const;
  // Matches `subject` with `scratch`, filling `groups` with the numbered groups (an unset
  // group is a null view); false when it does not match.
  bool match(std::string_view subject, Scratch& scratch,
             std::vector<std::string_view>& groups) const;
  // The group number of a named group; throws InvalidArgument when there is none.
  int group(const std::string& name) const;
  const std::string& pattern() const noexcept { return pattern_; }

 private:
  struct Impl;
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tessera::logs
