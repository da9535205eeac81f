#include "tessera/config.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <string>
#include <string_view>

#include "tessera/error.hpp"

namespace tessera {
namespace {

const char* env(const char* name) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? value : nullptr;
}

long long parse_count(const char* variable, std::string_view text) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    throw InvalidArgument(std::string(variable) + "='" + std::string(text) +
                          "' is not a non-negative integer");
  }
  return value;
}

bool parse_flag(const char* variable, std::string_view text) {
  if (text == "1" || text == "yes" || text == "true" || text == "on") return true;
  if (text == "0" || text == "no" || text == "false" || text == "off") return false;
  throw InvalidArgument(std::string(variable) + "='" + std::string(text) +
                        "' is not a boolean (use 0 or 1)");
}

double parse_seconds(const char* variable, std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0) || value > 1e6) {
    throw InvalidArgument(std::string(variable) + "='" + std::string(text) +
                          "' is not a number of seconds in [0, 1e6]");
  }
  return value;
}

void check_progress(double seconds, const char* what) {
  if (!(seconds >= 0) || seconds > 1e6) {
    throw InvalidArgument(std::string(what) + " = " + std::to_string(seconds) +
                          " is not a number of seconds in [0, 1e6] (0: no progress lines)");
  }
}

void check_throttle(Config& c) {
  if (c.max_submitted < 0) {
    throw InvalidArgument("Config::max_submitted = " + std::to_string(c.max_submitted) +
                          " is negative (use 0 for no bound)");
  }
  if (c.max_submitted == 0) return;
  if (c.min_submitted < 0)
    c.min_submitted = std::min(c.max_submitted - c.max_submitted / 10, c.max_submitted - 1);
  if (c.min_submitted >= c.max_submitted) {
    throw InvalidArgument("Config::min_submitted = " + std::to_string(c.min_submitted) +
                          " must be below max_submitted = " + std::to_string(c.max_submitted));
  }
}

}  // namespace

Config Config::resolved() const {
  Config c = *this;
  if (c.ncpu < -1)
    throw InvalidArgument("Config::ncpu = " + std::to_string(c.ncpu) + " (use -1 for all cores)");
  if (c.spin_us < 0)
    throw InvalidArgument("Config::spin_us = " + std::to_string(c.spin_us) + " is negative");
  if (!c.use_env) {
    check_throttle(c);
    check_progress(c.progress_seconds, "Config::progress_seconds");
    return c;
  }
  if (const char* v = env("TESSERA_NCPU"))
    c.ncpu = static_cast<int>(parse_count("TESSERA_NCPU", v));
  if (const char* v = env("TESSERA_NCUDA"))
    c.ncuda = static_cast<int>(parse_count("TESSERA_NCUDA", v));
  if (const char* v = env("TESSERA_CUDA_MEMORY"))
    c.cuda_memory = parse_count("TESSERA_CUDA_MEMORY", v);
  if (const char* v = env("TESSERA_SCHED")) c.sched = v;
  if (const char* v = env("TESSERA_TRACE")) c.trace_file = v;
  if (const char* v = env("TESSERA_DOT")) c.dot_file = v;
  if (const char* v = env("TESSERA_BIND")) c.bind_workers = parse_flag("TESSERA_BIND", v);
  if (const char* v = env("TESSERA_MAX_SUBMITTED"))
    c.max_submitted = parse_count("TESSERA_MAX_SUBMITTED", v);
  if (const char* v = env("TESSERA_MIN_SUBMITTED"))
    c.min_submitted = parse_count("TESSERA_MIN_SUBMITTED", v);
  if (const char* v = env("TESSERA_PROGRESS"))
    c.progress_seconds = parse_seconds("TESSERA_PROGRESS", v);
  check_throttle(c);
  check_progress(c.progress_seconds, "Config::progress_seconds");
  return c;
}

}  // namespace tessera
