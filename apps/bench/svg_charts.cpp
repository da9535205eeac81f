#include "bench/svg_charts.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <sstream>

namespace tessera::bench {
namespace {

const char* const kPalette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// "Nice" tick values covering [lo, hi].
std::vector<double> ticks(double lo, double hi, int target = 6) {
  const double span = std::max(hi - lo, 1e-12);
  const double raw = span / target;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  double step = magnitude;
  for (double m : {1.0, 2.0, 2.5, 5.0, 10.0}) {
    if (raw <= m * magnitude) {
      step = m * magnitude;
      break;
    }
  }
  std::vector<double> out;
  for (double v = std::ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push_back(v);
  return out;
}

std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

}  // namespace

std::string LineChart::to_svg() const {
  const double width = 720, height = 420, left = 70, right = 170, top = 40, bottom = 55;
  double xmin = 1e300, xmax = -1e300, ymin = 1e300, ymax = -1e300;
  for (const Series& s : series) {
    for (double x : s.x) xmin = std::min(xmin, x), xmax = std::max(xmax, x);
    for (double y : s.y) ymin = std::min(ymin, y), ymax = std::max(ymax, y);
  }
  if (xmin > xmax) xmin = 0, xmax = 1, ymin = 0, ymax = 1;
  ymin = std::min(ymin, 1.0);
  const double pad = (ymax - ymin) * 0.05 + 1e-9;
  ymax += pad;
  ymin = std::max(0.0, ymin - pad);
  const double pw = width - left - right, ph = height - top - bottom;
  auto px = [&](double x) { return left + (xmax > xmin ? (x - xmin) / (xmax - xmin) : 0.5) * pw; };
  auto py = [&](double y) { return top + ph - (y - ymin) / (ymax - ymin) * ph; };
  std::ostringstream svg;
  svg << R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" << width << R"(" height=")" << height
      << R"(" font-family="Helvetica, Arial, sans-serif" font-size="12">)" << "\n";
  svg << R"(<rect width="100%" height="100%" fill="white"/>)" << "\n";
  svg << R"(<text x=")" << left << R"(" y="22" font-size="15" font-weight="bold">)" << escape(title) << "</text>\n";
  for (double t : ticks(ymin, ymax)) {
    svg << R"(<line x1=")" << left << R"(" x2=")" << left + pw << R"(" y1=")" << py(t) << R"(" y2=")" << py(t)
        << R"(" stroke="#e5e5e5"/>)" << R"(<text x=")" << left - 8 << R"(" y=")" << py(t) + 4
        << R"(" text-anchor="end">)" << number(t) << "</text>\n";
  }
  for (double t : ticks(xmin, xmax)) {
    svg << R"(<text x=")" << px(t) << R"(" y=")" << top + ph + 18 << R"(" text-anchor="middle">)" << number(t)
        << "</text>\n";
  }
  svg << R"(<rect x=")" << left << R"(" y=")" << top << R"(" width=")" << pw << R"(" height=")" << ph
      << R"(" fill="none" stroke="#333"/>)" << "\n";
  svg << R"(<text x=")" << left + pw / 2 << R"(" y=")" << height - 12 << R"(" text-anchor="middle">)"
      << escape(x_label) << "</text>\n";
  svg << R"x(<text transform="translate(18,)x" << top + ph / 2 << R"x() rotate(-90)" text-anchor="middle">)x"
      << escape(y_label) << "</text>\n";
  for (std::size_t i = 0; i < series.size(); ++i) {
    const Series& s = series[i];
    const char* colour = kPalette[i % std::size(kPalette)];
    svg << R"(<polyline fill="none" stroke=")" << colour << R"(" stroke-width=")" << (i == 0 ? 3 : 1.6)
        << R"(" points=")";
    for (std::size_t k = 0; k < s.x.size(); ++k) svg << px(s.x[k]) << "," << py(s.y[k]) << " ";
    svg << R"("/>)" << "\n";
    for (std::size_t k = 0; k < s.x.size(); ++k) {
      svg << R"(<circle cx=")" << px(s.x[k]) << R"(" cy=")" << py(s.y[k]) << R"(" r="3" fill=")" << colour
          << R"("><title>)" << escape(s.name) << " " << number(s.x[k]) << ": " << number(s.y[k])
          << "</title></circle>\n";
    }
    const double ly = top + 10 + 20.0 * static_cast<double>(i);
    svg << R"(<line x1=")" << left + pw + 15 << R"(" x2=")" << left + pw + 40 << R"(" y1=")" << ly << R"(" y2=")"
        << ly << R"(" stroke=")" << colour << R"(" stroke-width="3"/>)" << R"(<text x=")" << left + pw + 46
        << R"(" y=")" << ly + 4 << R"(">)" << escape(s.name) << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

std::string GanttChart::to_svg() const {
  const double left = 70, right = 160, top = 40, bottom = 45, row_height = 16;
  const double width = 1000;
  const double height = top + bottom + row_height * static_cast<double>(rows.size());
  const double pw = width - left - right;
  const double end = std::max(horizon, 1e-9);
  auto px = [&](double t) { return left + t / end * pw; };
  std::map<std::string, const char*> colours;
  for (const GanttBar& b : bars) {
    if (!colours.count(b.category)) colours[b.category] = kPalette[colours.size() % std::size(kPalette)];
  }
  std::ostringstream svg;
  svg << R"(<svg xmlns="http://www.w3.org/2000/svg" width=")" << width << R"(" height=")" << height
      << R"(" font-family="Helvetica, Arial, sans-serif" font-size="11">)" << "\n";
  svg << R"(<rect width="100%" height="100%" fill="white"/>)" << "\n";
  svg << R"(<text x=")" << left << R"(" y="22" font-size="15" font-weight="bold">)" << escape(title) << "</text>\n";
  for (std::size_t r = 0; r < rows.size(); ++r) {
    const double y = top + row_height * static_cast<double>(r);
    svg << R"(<text x=")" << left - 6 << R"(" y=")" << y + row_height - 4 << R"(" text-anchor="end">)"
        << escape(rows[r]) << "</text>\n";
    if (r % 2 == 0) {
      svg << R"(<rect x=")" << left << R"(" y=")" << y << R"(" width=")" << pw << R"(" height=")" << row_height
          << R"(" fill="#f6f6f6"/>)" << "\n";
    }
  }
  for (const GanttBar& b : bars) {
    const double y = top + row_height * static_cast<double>(b.row) + 1;
    svg << R"(<rect x=")" << px(b.start) << R"(" y=")" << y << R"(" width=")"
        << std::max(0.5, px(b.end) - px(b.start)) << R"(" height=")" << row_height - 2 << R"(" fill=")"
        << colours[b.category] << R"("/>)" << "\n";
  }
  const double axis_y = top + row_height * static_cast<double>(rows.size());
  for (double t : ticks(0, end * time_scale)) {
    svg << R"(<text x=")" << px(t / time_scale) << R"(" y=")" << axis_y + 16 << R"(" text-anchor="middle">)"
        << number(t) << "</text>\n";
  }
  svg << R"(<text x=")" << left + pw / 2 << R"(" y=")" << height - 8 << R"(" text-anchor="middle">time ()"
      << escape(time_unit) << ")</text>\n";
  int i = 0;
  for (const auto& [name, colour] : colours) {
    const double ly = top + 8 + 18.0 * i++;
    svg << R"(<rect x=")" << left + pw + 14 << R"(" y=")" << ly - 8 << R"(" width="14" height="10" fill=")" << colour
        << R"("/>)" << R"(<text x=")" << left + pw + 34 << R"(" y=")" << ly + 1 << R"(">)" << escape(name)
        << "</text>\n";
  }
  svg << "</svg>\n";
  return svg.str();
}

}  // namespace tessera::bench
