#pragma once
// Reading JSON documents with errors that say where: "<source>: tasks[3].access[0]: unknown
// data id 'A9'". Used by the platform, DAG and performance-model parsers.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "tessera/error.hpp"

namespace tessera::detail {

class JsonPath {
 public:
  JsonPath(std::string source, const nlohmann::json& value, std::string path = "")
      : source_(std::move(source)), value_(&value), path_(std::move(path)) {}

  const nlohmann::json& value() const { return *value_; }
  const std::string& path() const { return path_; }
  const std::string& source() const { return source_; }

  [[noreturn]] void fail(const std::string& reason) const {
    throw InvalidArgument(source_ + ": " + (path_.empty() ? std::string("document") : path_) +
                          ": " + reason);
  }

  bool has(std::string_view key) const { return value_->is_object() && value_->contains(key); }
  JsonPath at(std::string_view key) const {
    if (!value_->is_object()) fail("expected an object");
    auto it = value_->find(key);
    if (it == value_->end()) child_path_fail(key, "missing field");
    return JsonPath(source_, *it, join(key));
  }
  JsonPath at(std::size_t index) const {
    return JsonPath(source_, (*value_)[index], path_ + "[" + std::to_string(index) + "]");
  }

  const nlohmann::json& array() const {
    if (!value_->is_array()) fail("expected an array");
    return *value_;
  }
  const nlohmann::json& object() const {
    if (!value_->is_object()) fail("expected an object");
    return *value_;
  }
  std::string string() const {
    if (!value_->is_string()) fail("expected a string");
    return value_->get<std::string>();
  }
  double number() const {
    if (!value_->is_number()) fail("expected a number");
    return value_->get<double>();
  }
  double non_negative() const {
    const double v = number();
    if (!(v >= 0.0)) fail("must not be negative (got " + std::to_string(v) + ")");
    return v;
  }
  double positive() const {
    const double v = number();
    if (!(v > 0.0)) fail("must be positive (got " + std::to_string(v) + ")");
    return v;
  }
  long long integer() const {
    if (!value_->is_number_integer()) fail("expected an integer");
    if (value_->is_number_unsigned() && value_->get<unsigned long long>() > 9223372036854775807ull)
      fail("is too large");
    return value_->get<long long>();
  }
  // An integer that fits an int.
  int int32() const {
    const long long v = integer();
    if (v < -2147483648LL || v > 2147483647LL) fail("is out of range (" + std::to_string(v) + ")");
    return static_cast<int>(v);
  }
  // A non-negative integer (JSON integers, or numbers such as 1e9 with no fraction).
  std::uint64_t count() const {
    if (value_->is_number_unsigned()) return value_->get<std::uint64_t>();
    const double v = number();
    if (!(v >= 0.0) || v > 9.2e18 || v != static_cast<double>(static_cast<std::uint64_t>(v))) {
      fail("expected a non-negative whole number (got " + value_->dump() + ")");
    }
    return static_cast<std::uint64_t>(v);
  }
  bool boolean() const {
    if (!value_->is_boolean()) fail("expected true or false");
    return value_->get<bool>();
  }

  std::string string_or(std::string_view key, std::string fallback) const {
    return has(key) ? at(key).string() : std::move(fallback);
  }

 private:
  std::string join(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  [[noreturn]] void child_path_fail(std::string_view key, const std::string& reason) const {
    throw InvalidArgument(source_ + ": " + join(key) + ": " + reason);
  }

  std::string source_;
  const nlohmann::json* value_;
  std::string path_;
};

// Parses text as JSON, or throws InvalidArgument naming the source and the position.
inline nlohmann::json parse_json_text(std::string_view text, std::string_view source) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {  // syntax errors, and numbers out of range
    throw InvalidArgument(std::string(source) + ": not valid JSON (" + e.what() + ")");
  }
}

std::string read_text_file(const std::string& path);

}  // namespace tessera::detail
