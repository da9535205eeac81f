#include "logs/windows.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <unordered_map>

#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

std::size_t field_index(const std::vector<std::string>& headers, const std::string& name,
                        const std::string& format) {
  const auto it = std::find(headers.begin(), headers.end(), name);
  if (it == headers.end()) {
    throw InvalidArgument("log format '" + format + "' has no field <" + name + ">");
  }
  return static_cast<std::size_t>(it - headers.begin());
}

double number(std::string_view text, std::string_view what) {
  double v = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v)) {
    throw InvalidArgument(std::string(what) + ": '" + std::string(text) + "' is not a number");
  }
  return v;
}

}  // namespace

EventLog event_log(const std::vector<std::string>& lines, const DrainPreset& preset,
                   const EventFields& fields) {
  const LogFormat format(preset.format);
  const auto& headers = format.headers();
  const bool timed = !fields.time.empty(), labelled = !fields.label.empty();
  const std::size_t time_at = timed ? field_index(headers, fields.time, preset.format) : 0;
  const std::size_t label_at = labelled ? field_index(headers, fields.label, preset.format) : 0;
  Drain drain(preset.options);
  EventLog log;
  std::vector<std::size_t> cluster_of;
  std::vector<std::string> f;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!format.split(lines[i], f)) continue;
    cluster_of.push_back(drain.add(f[format.content()]));
    log.line_ids.push_back(i + 1);
    if (timed) {
      std::string what = "line " + std::to_string(i + 1);
      what += ", field <";
      what += fields.time;
      what += '>';
      double t = number(f[time_at], what);
      if (!log.times.empty() && t < log.times.back()) {
        ++log.out_of_order;
        t = log.times.back();
      }
      log.times.push_back(t);
    }
    if (labelled) log.anomalous.push_back(f[label_at] != fields.normal ? 1 : 0);
  }
  // Events are the final templates (clusters whose templates end equal are one event).
  std::unordered_map<std::string, std::uint32_t> id_of;
  std::vector<std::uint32_t> event_of_cluster(drain.clusters());
  const auto templates = event_templates(drain.settled_templates(), preset.options.improved);
  for (std::size_t c = 0; c < drain.clusters(); ++c) {
    auto [it, fresh] =
        id_of.emplace(templates[c], static_cast<std::uint32_t>(log.templates.size()));
    if (fresh) log.templates.push_back(it->first);
    event_of_cluster[c] = it->second;
  }
  for (std::size_t c : cluster_of) log.events.push_back(event_of_cluster[c]);
  return log;
}

WindowSpec WindowSpec::parse(std::string_view text) {
  const auto bad = [&](const char* why) {
    return InvalidArgument("window '" + std::string(text) + "': " + why +
                           " (give count:SIZE[,STEP] or time:SECONDS[,STEP])");
  };
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) throw bad("no kind");
  WindowSpec spec;
  const auto kind = text.substr(0, colon);
  if (kind == "time") {
    spec.by_time = true;
  } else if (kind != "count") {
    throw bad("unknown kind");
  }
  auto rest = text.substr(colon + 1);
  const auto comma = rest.find(',');
  try {
    spec.size = number(rest.substr(0, comma), "window size");
    spec.step =
        comma == std::string_view::npos ? spec.size : number(rest.substr(comma + 1), "window step");
  } catch (const InvalidArgument&) {
    throw bad("size and step must be numbers");
  }
  if (!(spec.size > 0) || !(spec.step > 0) || spec.step > spec.size) {
    throw bad("need 0 < step <= size");
  }
  if (!spec.by_time && (spec.size != std::floor(spec.size) || spec.step != std::floor(spec.step))) {
    throw bad("a count window holds whole lines");
  }
  if (spec.size > 1e12) throw bad("size too large");
  return spec;
}

std::string WindowSpec::describe() const {
  const auto num = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%g", v);
    return std::string(buffer);
  };
  std::string out = by_time ? "time:" : "count:";
  out += num(size);
  if (step != size) {
    out += ',';
    out += num(step);
  }
  return out;
}

std::vector<Window> make_windows(const EventLog& log, std::size_t first, std::size_t last,
                                 const WindowSpec& spec) {
  std::vector<Window> out;
  last = std::min(last, log.size());
  if (first >= last) return out;
  if (spec.by_time && log.times.size() != log.size()) {
    throw InvalidArgument("time windows need a time field (the log has no times)");
  }
  const auto finish = [&](std::size_t b, std::size_t e) {
    if (b >= e) return;
    Window w{b, e, false};
    if (log.labelled()) {
      for (std::size_t i = b; i < e && !w.anomalous; ++i) w.anomalous = log.anomalous[i] != 0;
    }
    out.push_back(w);
  };
  if (!spec.by_time) {
    const auto size = static_cast<std::size_t>(spec.size),
               step = static_cast<std::size_t>(spec.step);
    for (std::size_t b = first; b < last; b += step) {
      finish(b, std::min(b + size, last));
      if (b + size >= last) break;
    }
    return out;
  }
  // Time windows [t0 + j step, t0 + j step + size) while lines remain; steps over a gap
  // with no lines are skipped. A window that reaches the last line is the last one.
  double start = log.times[first];
  std::size_t b = first, e = first;
  while (true) {
    while (b < last && log.times[b] < start) ++b;
    if (b >= last) break;
    if (log.times[b] >= start + spec.size) {
      start += (std::floor((log.times[b] - start - spec.size) / spec.step) + 1) * spec.step;
      continue;
    }
    e = std::max(e, b);
    while (e < last && log.times[e] < start + spec.size) ++e;
    finish(b, e);
    if (e >= last) break;
    start += spec.step;
  }
  return out;
}

Split chronological_split(std::size_t lines, double train_fraction, double valid_fraction) {
  if (!(train_fraction > 0) || !(valid_fraction >= 0) || !(train_fraction + valid_fraction < 1)) {
    throw InvalidArgument("split: need train > 0, valid >= 0 and train + valid < 1 (got " +
                          std::to_string(train_fraction) + " and " +
                          std::to_string(valid_fraction) + ")");
  }
  const auto at = [&](double f) {
    return static_cast<std::size_t>(std::llround(f * static_cast<double>(lines)));
  };
  return {at(train_fraction), at(train_fraction + valid_fraction), lines};
}

double Detection::precision() const {
  return tp + fp == 0 ? 0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
}
double Detection::recall() const {
  return tp + fn == 0 ? 0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
}
double Detection::f1() const {
  const double p = precision(), r = recall();
  return p + r == 0 ? 0 : 2 * p * r / (p + r);
}

Detection score_windows(const std::vector<Window>& windows, const std::vector<bool>& verdicts) {
  if (windows.size() != verdicts.size()) {
    throw InvalidArgument("score: " + std::to_string(verdicts.size()) + " verdicts for " +
                          std::to_string(windows.size()) + " windows");
  }
  Detection d;
  for (std::size_t w = 0; w < windows.size(); ++w) {
    const bool truth = windows[w].anomalous, said = verdicts[w];
    (truth ? (said ? d.tp : d.fn) : (said ? d.fp : d.tn)) += 1;
  }
  return d;
}

std::vector<bool> top_k_verdicts(const std::vector<std::vector<std::uint32_t>>& ranks,
                                 std::size_t k) {
  std::vector<bool> out;
  for (const auto& window : ranks) {
    bool miss = false;
    for (std::uint32_t r : window) miss = miss || r >= k;
    out.push_back(miss);
  }
  return out;
}

std::size_t choose_top_k(const std::vector<std::vector<std::uint32_t>>& ranks,
                         const std::vector<Window>& windows, std::size_t max_k) {
  if (max_k == 0) throw InvalidArgument("top-k: max_k must be positive");
  // A window is flagged at k exactly when its worst rank is >= k.
  std::size_t best_k = max_k;
  double best_f1 = -1;
  for (std::size_t k = 1; k <= max_k; ++k) {
    const double f1 = score_windows(windows, top_k_verdicts(ranks, k)).f1();
    if (f1 >= best_f1) {
      best_f1 = f1;
      best_k = k;
    }
  }
  return best_k;
}

}  // namespace tessera::logs
