#include "spamm/matrix_market.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <tessera/error.hpp>
#include <tessera/memory_budget.hpp>

namespace tessera::spamm {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

class Reader {
 public:
  Reader(std::istream& in, const std::string& source) : in_(in), source_(source) {}

  [[noreturn]] void fail(const std::string& what) const {
    throw InvalidArgument(source_ + ":" + std::to_string(line_) + ": " + what);
  }
  // The next line that is not a comment or blank; false at the end of the input.
  bool next_data_line(std::string& text) {
    while (std::getline(in_, text)) {
      ++line_;
      const auto first = text.find_first_not_of(" \t\r");
      if (first != std::string::npos && text[first] != '%') return true;
    }
    return false;
  }
  bool next_line(std::string& text) {
    if (!std::getline(in_, text)) return false;
    ++line_;
    return true;
  }
  std::size_t line() const { return line_; }

 private:
  std::istream& in_;
  std::string source_;
  std::size_t line_ = 0;
};

// Reads exactly `count` numbers from `text`; fails naming `what` otherwise.
template <class T>
void parse_fields(Reader& r, const std::string& text, T* out, std::size_t count, const char* what) {
  std::istringstream fields(text);
  for (std::size_t f = 0; f < count; ++f) {
    if (!(fields >> out[f])) r.fail(std::string("expected ") + what + ", got '" + text + "'");
  }
  std::string extra;
  if (fields >> extra) r.fail(std::string("unexpected '") + extra + "' after " + what);
}

}  // namespace

DenseMatrix read_matrix_market(std::istream& in, const std::string& source) {
  Reader r(in, source);
  std::string text;
  if (!r.next_line(text)) r.fail("empty file (expected a %%MatrixMarket header)");
  std::istringstream header(text);
  std::string banner, object, format, field, symmetry;
  header >> banner >> object >> format >> field >> symmetry;
  if (banner != "%%MatrixMarket") r.fail("expected a '%%MatrixMarket' header, got '" + text + "'");
  object = lower(object), format = lower(format), field = lower(field), symmetry = lower(symmetry);
  if (object != "matrix") r.fail("unsupported object '" + object + "' (only 'matrix')");
  if (format != "coordinate" && format != "array") {
    r.fail("unsupported format '" + format + "' (coordinate or array)");
  }
  if (field != "real" && field != "integer" && field != "double") {
    r.fail("unsupported field '" + field + "' (real or integer)");
  }
  if (symmetry != "general" && symmetry != "symmetric") {
    r.fail("unsupported symmetry '" + symmetry + "' (general or symmetric)");
  }
  const bool coordinate = format == "coordinate", symmetric = symmetry == "symmetric";

  if (!r.next_data_line(text)) r.fail("missing size line");
  long long size[3] = {0, 0, 0};
  parse_fields(r, text, size, coordinate ? 3 : 2,
               coordinate ? "'rows cols entries'" : "'rows cols'");
  if (size[0] <= 0 || size[1] <= 0 || size[2] < 0) r.fail("invalid size line '" + text + "'");
  if (symmetric && size[0] != size[1]) r.fail("a symmetric matrix must be square");
  require_memory(static_cast<double>(size[0]) * static_cast<double>(size[1]) * 8.0,
                 source + ": a " + std::to_string(size[0]) + " x " + std::to_string(size[1]) +
                     " dense matrix");
  DenseMatrix m;
  m.rows = static_cast<std::size_t>(size[0]);
  m.cols = static_cast<std::size_t>(size[1]);
  m.values.assign(m.rows * m.cols, 0.0);

  if (coordinate) {
    const auto entries = static_cast<std::size_t>(size[2]);
    for (std::size_t e = 0; e < entries; ++e) {
      if (!r.next_data_line(text)) {
        r.fail("expected " + std::to_string(entries) + " entries, found " + std::to_string(e));
      }
      std::istringstream fields(text);
      long long i = 0, j = 0;
      double v = 0;
      if (!(fields >> i >> j >> v)) r.fail("expected 'row col value', got '" + text + "'");
      std::string extra;
      if (fields >> extra) r.fail("unexpected '" + extra + "' after 'row col value'");
      if (i < 1 || j < 1 || i > size[0] || j > size[1]) {
        r.fail("entry (" + std::to_string(i) + ", " + std::to_string(j) + ") is outside the " +
               std::to_string(size[0]) + " x " + std::to_string(size[1]) + " matrix");
      }
      if (symmetric && j > i) r.fail("a symmetric file lists the lower triangle only");
      const auto ii = static_cast<std::size_t>(i - 1), jj = static_cast<std::size_t>(j - 1);
      m.values[ii + jj * m.rows] = v;
      if (symmetric) m.values[jj + ii * m.rows] = v;
    }
  } else {
    // Column by column; a symmetric array lists the lower triangle, diagonal included.
    for (std::size_t j = 0; j < m.cols; ++j) {
      for (std::size_t i = symmetric ? j : 0; i < m.rows; ++i) {
        if (!r.next_data_line(text)) {
          r.fail("the array ends early: no value for (" + std::to_string(i + 1) + ", " +
                 std::to_string(j + 1) + ")");
        }
        double v = 0;
        parse_fields(r, text, &v, 1, "one value");
        m.values[i + j * m.rows] = v;
        if (symmetric) m.values[j + i * m.rows] = v;
      }
    }
  }
  if (r.next_data_line(text)) r.fail("more entries than the size line announced");
  return m;
}

DenseMatrix read_matrix_market(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InvalidArgument("cannot open Matrix Market file '" + path + "'");
  return read_matrix_market(in, path);
}

}  // namespace tessera::spamm
