#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "tessera/error.hpp"
#include "tessera/policy.hpp"

namespace tessera {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

PolicyOptions PolicyOptions::parse(std::string_view text) {
  PolicyOptions options;
  while (!trim(text).empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view item = trim(text.substr(0, comma));
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos || trim(item.substr(0, eq)).empty()) {
      throw InvalidArgument("option '" + std::string(item) + "' is not of the form key=value");
    }
    options.values_[std::string(trim(item.substr(0, eq)))] = std::string(trim(item.substr(eq + 1)));
  }
  return options;
}

std::string PolicyOptions::get(std::string_view key, std::string fallback) const {
  auto it = values_.find(key);
  return it == values_.end() ? std::move(fallback) : it->second;
}

double PolicyOptions::get_double(std::string_view key, double fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  double value = 0;
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw InvalidArgument("option " + std::string(key) + "='" + s + "' is not a number");
  }
  // from_chars reads "nan" and "inf"; no policy parameter means either.
  if (!std::isfinite(value)) {
    throw InvalidArgument("option " + std::string(key) + "='" + s + "' is not a finite number");
  }
  return value;
}

long PolicyOptions::get_int(std::string_view key, long fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  long value = 0;
  const std::string& s = it->second;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) {
    throw InvalidArgument("option " + std::string(key) + "='" + s + "' is not an integer");
  }
  return value;
}

bool PolicyOptions::get_bool(std::string_view key, bool fallback) const {
  auto it = values_.find(key);
  if (it == values_.end()) return fallback;
  const std::string& s = it->second;
  if (s == "1" || s == "true" || s == "yes" || s == "on") return true;
  if (s == "0" || s == "false" || s == "no" || s == "off") return false;
  throw InvalidArgument("option " + std::string(key) + "='" + s + "' is not a boolean");
}

namespace {

void refuse_unknown(const std::map<std::string, std::string, std::less<>>& values,
                    std::span<const std::string_view> known) {
  for (const auto& [key, value] : values) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      std::string list;
      for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
      // create_policy prefixes "policy '<name>': ".
      throw InvalidArgument(
          "no option '" + key + "'" +
          (list.empty() ? std::string(" (it takes none)") : " (known: " + list + ")"));
    }
  }
}

}  // namespace

void PolicyOptions::expect_only(std::string_view /*policy*/,
                                std::initializer_list<std::string_view> known) const {
  refuse_unknown(values_, std::span<const std::string_view>(known.begin(), known.size()));
}

void PolicyOptions::expect_only(std::string_view /*policy*/,
                                std::span<const PolicyOptionInfo> known) const {
  std::vector<std::string_view> names;
  for (const PolicyOptionInfo& option : known) names.push_back(option.name);
  refuse_unknown(values_, names);
}

}  // namespace tessera
