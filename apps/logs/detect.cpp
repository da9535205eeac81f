#include "logs/detect.hpp"

#include <ostream>

#include <tessera/error.hpp>

namespace tessera::logs {
namespace {

struct Scored {
  std::vector<bool> verdicts;
  std::vector<double> scores;
};

Scored top_k_scores(const std::vector<std::vector<std::uint32_t>>& ranks, std::size_t k) {
  Scored s;
  s.verdicts = top_k_verdicts(ranks, k);
  for (const auto& window : ranks) {
    std::size_t misses = 0;
    for (std::uint32_t r : window) misses += r >= k ? 1 : 0;
    s.scores.push_back(static_cast<double>(misses));
  }
  return s;
}

}  // namespace

DetectReport detect(Runtime& rt, const EventLog& log, const Split& split,
                    const DetectOptions& options) {
  const auto train = make_windows(log, 0, split.train, options.window);
  const auto valid = make_windows(log, split.train, split.valid, options.window);
  const auto test = make_windows(log, split.valid, split.size, options.window);
  if (train.empty()) throw InvalidArgument("detect: the training part has no window");
  if (test.empty()) throw InvalidArgument("detect: the test part has no window");
  const bool sequence_model = options.method == "deeplog" || options.method == "loglm";
  if (!sequence_model && options.method != "pca" && options.method != "llm") {
    throw InvalidArgument("detect: unknown method '" + options.method +
                          "' (pca, deeplog, loglm or llm)");
  }
  if (sequence_model && options.top_k == 0 && (!log.labelled() || valid.empty())) {
    throw InvalidArgument("detect: choosing top-k needs labelled validation windows; give --top-k");
  }
  DetectReport report;
  report.method = options.method;
  report.train_windows = train.size();
  report.valid_windows = valid.size();
  report.test_windows = test.size();

  Scored on_valid, on_test;
  if (options.method == "pca") {
    PcaDetector pca(options.pca);
    pca.fit(log, train);
    const auto score = [&](const std::vector<Window>& windows) {
      Scored s;
      for (double spe : pca.spe(log, windows)) {
        s.verdicts.push_back(spe > pca.threshold());
        s.scores.push_back(spe / pca.threshold());
      }
      return s;
    };
    on_valid = score(valid);
    on_test = score(test);
  } else if (options.method == "llm") {
    if (options.llm.url.empty()) throw InvalidArgument("detect: method llm needs an endpoint URL");
    ChatClient client(options.llm);
    const auto asked = llm_detect(rt, client, log, test, options.llm_windows);
    on_test.verdicts = asked.verdicts;
    on_test.scores = asked.scores;
    on_valid.verdicts.assign(valid.size(), false);
    report.malformed_answers = asked.malformed;
    report.failed_windows = asked.failed;
    report.llm = client.stats();
  } else {
    SequenceModelOptions sequence = options.sequence;
    sequence.kind = options.method;
    SequenceDetector model(rt, log.templates.size(), sequence);
    // The sequence models learn what normal looks like: from the normal training windows
    // where labels say which they are.
    std::vector<Window> normal;
    for (const auto& w : train) {
      if (!w.anomalous) normal.push_back(w);
    }
    report.normal_train_windows = normal.size();
    if (normal.empty()) throw InvalidArgument("detect: every training window is anomalous");
    model.fit(log, normal);
    const auto valid_ranks = model.ranks(log, valid);
    std::size_t k = options.top_k;
    if (k == 0) k = choose_top_k(valid_ranks, valid, log.templates.size());
    report.top_k = k;
    on_valid = top_k_scores(valid_ranks, k);
    on_test = top_k_scores(model.ranks(log, test), k);
  }
  if (log.labelled()) {
    if (options.method != "llm") report.valid = score_windows(valid, on_valid.verdicts);
    report.test = score_windows(test, on_test.verdicts);
  }
  // Per test line: the window holding it with the highest score.
  const std::size_t first = split.valid;
  report.lines.resize(split.size - first);
  std::vector<bool> judged(report.lines.size(), false);
  for (std::size_t w = 0; w < test.size(); ++w) {
    for (std::size_t i = test[w].begin; i < test[w].end; ++i) {
      auto& v = report.lines[i - first];
      if (judged[i - first] && v.score >= on_test.scores[w]) continue;
      judged[i - first] = true;
      v = {log.line_ids[i], on_test.verdicts[w], w, on_test.scores[w]};
    }
  }
  // Lines no window holds (a time window never skips a line; kept for safety) are normal.
  for (std::size_t i = 0; i < report.lines.size(); ++i) {
    if (!judged[i]) report.lines[i] = {log.line_ids[first + i], false, 0, 0};
  }
  return report;
}

void write_verdicts(const DetectReport& report, std::ostream& out) {
  out << "LineId,Anomalous,Window,Score\n";
  for (const auto& v : report.lines) {
    out << v.line_id << ',' << (v.anomalous ? 1 : 0) << ',' << v.window << ',' << v.score << '\n';
  }
  if (!out) throw Error("detect: cannot write the verdicts");
}

}  // namespace tessera::logs
