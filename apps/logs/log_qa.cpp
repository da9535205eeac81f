#include "logs/log_qa.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ostream>

#include <nlohmann/json.hpp>

#include "logs/answer_candidates.hpp"

namespace tessera::logs {
namespace {

bool holds(const IndexedLine& line, std::string_view raw_log) {
  return !raw_log.empty() && line.content.find(raw_log) != std::string::npos;
}

std::string_view trimmed(std::string_view s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::string default_slot_model() {
  const char* env = std::getenv("TESSERA_DATA_DIR");
  const std::string dir = env != nullptr && *env != '\0' ? env : TESSERA_SOURCE_DATA_DIR;
  return dir + "/models/logqa-slots.json";
}

LogReader slot_reader(std::shared_ptr<const SlotReader> model) {
  return [model](std::string_view question, const IndexedLine& line) {
    return model->read(question, line.content, line.event);
  };
}

LogReader first_variable_reader() {
  return [](std::string_view, const IndexedLine& line) {
    return ReaderAnswer{first_variable(line.content, answer_units(line.content, line.event)), 0.0};
  };
}

QaAnswer ask(const LogIndex& index, const LogReader& reader, std::string_view question,
             std::size_t top_k, std::size_t read_lines) {
  QaAnswer out;
  out.hits = index.search(question, std::max({top_k, read_lines, std::size_t{1}}));
  for (std::size_t r = 0; r < out.hits.size() && r < std::max<std::size_t>(read_lines, 1); ++r) {
    auto line = index.line(out.hits[r].line);
    const auto read = reader(question, line);
    if (r == 0 || read.score > out.score) {
      out.answer = read.text;
      out.score = read.score;
      out.line = std::move(line);
    }
  }
  return out;
}

QaReport evaluate_qa(const LogIndex& index, const LogReader& reader,
                     const std::vector<QaExample>& examples, std::size_t read_lines) {
  using Clock = std::chrono::steady_clock;
  QaReport report;
  report.questions = examples.size();
  double seconds = 0;
  for (const auto& ex : examples) {
    QaPrediction p;
    p.example = &ex;
    const auto start = Clock::now();
    p.answer = ask(index, reader, ex.question, 10, read_lines);
    p.seconds = std::chrono::duration<double>(Clock::now() - start).count();
    seconds += p.seconds;
    if (p.answer.hits.empty()) ++report.no_match;
    p.exact = exact_match(p.answer.answer, ex.answer);
    p.f1 = token_f1(p.answer.answer, ex.answer);
    const auto raw = trimmed(ex.raw_log);
    for (std::size_t r = 0; r < p.answer.hits.size(); ++r) {
      const auto line = index.line(p.answer.hits[r].line);
      if (holds(line, raw)) {
        p.gold_rank = r + 1;
        break;
      }
    }
    report.exact_match += p.exact ? 1.0 : 0.0;
    report.f1 += p.f1;
    report.recall_at_1 += p.gold_rank == 1 ? 1.0 : 0.0;
    report.recall_at_5 += p.gold_rank >= 1 && p.gold_rank <= 5 ? 1.0 : 0.0;
    report.recall_at_10 += p.gold_rank >= 1 ? 1.0 : 0.0;
    report.predictions.push_back(std::move(p));
  }
  if (!examples.empty()) {
    const double n = static_cast<double>(examples.size());
    for (double* m : {&report.exact_match, &report.f1, &report.recall_at_1, &report.recall_at_5,
                      &report.recall_at_10}) {
      *m /= n;
    }
    report.mean_seconds = seconds / n;
  }
  return report;
}

void write_predictions(const QaReport& report, const LogIndex& index, std::ostream& out) {
  for (const auto& p : report.predictions) {
    nlohmann::json retrieved = nlohmann::json::array();
    for (std::size_t r = 0; r < p.answer.hits.size() && r < 5; ++r) {
      const auto& hit = p.answer.hits[r];
      retrieved.push_back(
          {{"line", hit.line}, {"score", hit.score}, {"text", index.line(hit.line).text}});
    }
    nlohmann::json row = {
        {"Question", p.example->question},
        {"Answer", p.example->answer},
        {"Prediction", p.answer.answer},
        {"Score", p.answer.score},
        {"Line", p.answer.line ? nlohmann::json(p.answer.line->line) : nlohmann::json()},
        {"ExactMatch", p.exact},
        {"F1", p.f1},
        {"GoldRank", p.gold_rank},
        {"Retrieved", retrieved}};
    out << row.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  }
}

std::optional<IndexedLine> find_line(const LogIndex& index, std::string_view raw_log) {
  const auto raw = trimmed(raw_log);
  for (const auto& hit : index.search(raw, 50)) {
    auto line = index.line(hit.line);
    if (holds(line, raw)) return line;
  }
  return std::nullopt;
}

std::vector<ReadingExample> reading_examples(const LogIndex& index,
                                             const std::vector<QaExample>& examples,
                                             std::size_t* unmatched) {
  std::vector<ReadingExample> out;
  std::size_t missing = 0;
  for (const auto& ex : examples) {
    ReadingExample r{ex.question, ex.raw_log, "", ex.answer};
    if (auto line = find_line(index, ex.raw_log)) {
      r.content = line->content;
      r.event = line->event;
    } else {
      ++missing;
    }
    out.push_back(std::move(r));
  }
  if (unmatched != nullptr) *unmatched = missing;
  return out;
}

}  // namespace tessera::logs
