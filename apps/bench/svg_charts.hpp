#pragma once
// Two small SVG charts for the benchmark reports: lines (one series per policy) and a Gantt
// chart of a schedule. Plain SVG text, viewable in any browser.

#include <string>
#include <vector>

namespace tessera::bench {

struct Series {
  std::string name;
  std::vector<double> x;
  std::vector<double> y;
};

struct LineChart {
  std::string title;
  std::string x_label;
  std::string y_label;
  std::vector<Series> series;
  std::string to_svg() const;
};

struct GanttBar {
  int row = 0;
  double start = 0;
  double end = 0;
  std::string category;  // colour key (task type)
};

struct GanttChart {
  std::string title;
  std::vector<std::string> rows;  // worker names
  std::vector<GanttBar> bars;
  double horizon = 0;             // time axis end (makespan)
  std::string time_unit = "ms";
  double time_scale = 1e-3;       // bar times (us) to axis unit
  std::string to_svg() const;
};

}  // namespace tessera::bench
