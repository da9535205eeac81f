// Error messages shared by the public headers' inline code.

#include <cxxabi.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "tessera/access.hpp"
#include "tessera/args.hpp"
#include "tessera/error.hpp"
#include "tessera/task_context.hpp"

namespace tessera {
namespace {

std::string readable(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

std::string with_article(DataKind kind) {
  return (kind == DataKind::object ? "an " : "a ") + std::string(to_string(kind));
}

}  // namespace

std::string to_string(Access mode) {
  if (!is_valid(mode)) {
    static const char* hex = "0123456789abcdef";
    const auto v = static_cast<unsigned>(mode);
    return std::string("invalid(0x") + hex[(v >> 4) & 15] + hex[v & 15] + ")";
  }
  if (is_scratch(mode)) return "SCRATCH";
  std::string text = reads(mode) && writes(mode) ? "RW" : (writes(mode) ? "W" : "R");
  if (is_commute(mode)) text += "|COMMUTE";
  return text;
}

namespace detail {

void throw_bad_arg(std::size_t index, std::size_t count, const std::type_info* actual,
                   const std::type_info& requested) {
  if (actual == nullptr && index >= count) {
    throw InvalidArgument("task argument " + std::to_string(index) + " requested as " +
                          readable(requested) + ", but the task has " + std::to_string(count) +
                          " argument(s)");
  }
  throw InvalidArgument("task argument " + std::to_string(index) + " has type " +
                        (actual ? readable(*actual) : std::string("(none)")) + ", requested as " +
                        readable(requested));
}

void throw_bad_buffer(std::string_view task, std::size_t index, std::size_t count,
                      const BufferView* buffer, DataKind wanted, std::size_t wanted_elem_size,
                      const std::type_info& type) {
  std::string message = "task '" + std::string(task) + "': buffer " + std::to_string(index);
  if (buffer == nullptr) {
    message += " requested, but the task has " + std::to_string(count) + " buffer(s)";
  } else if (buffer->layout.kind != wanted) {
    message += " is " + with_article(buffer->layout.kind) + ", not " + with_article(wanted);
    if (wanted == DataKind::object) message += " of type " + readable(type);
  } else if (wanted == DataKind::object) {
    message += " is an object of type " +
               (buffer->layout.type ? readable(*buffer->layout.type) : std::string("?")) +
               ", not " + readable(type);
  } else {
    message += " has " + std::to_string(buffer->layout.elem_size) +
               "-byte elements, but was read as " + readable(type) + " (" +
               std::to_string(wanted_elem_size) + " bytes)";
  }
  throw InvalidArgument(message);
}

}  // namespace detail

std::string message_of(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace tessera
