#include "logs/llm_detector.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <unordered_map>

#include <tessera/codelet.hpp>
#include <tessera/task_context.hpp>

namespace tessera::logs {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool letter(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}

// The verdict of the first verdict word at or after `from`, or malformed.
LlmVerdict first_verdict_word(const std::string& text, std::size_t from) {
  for (std::size_t i = from; i < text.size();) {
    if (!letter(text[i])) {
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && letter(text[j])) ++j;
    const std::string_view word(text.data() + i, j - i);
    if (word == "abnormal" || word == "anomalous" || word == "anomaly") return LlmVerdict::abnormal;
    if (word == "normal") return LlmVerdict::normal;
    i = j;
  }
  return LlmVerdict::malformed;
}

}  // namespace

LlmPrompt loggpt_prompt(const EventLog& log, const Window& window, std::size_t max_lines) {
  LlmPrompt p;
  p.system =
      "You are an experienced operator of large computer systems. You will read a sequence of "
      "log messages from one system, in the order they were written, with variable values "
      "replaced by <*>. Decide whether the sequence shows an anomaly: a failure, an error "
      "that needs attention, or behaviour unlike normal operation.\n"
      "Reply on the first line with exactly \"Answer: normal\" or \"Answer: abnormal\". On "
      "the next line you may give a one-sentence reason.";
  std::size_t shown = 0, lines = 0;
  for (std::size_t i = window.begin; i < window.end;) {
    std::size_t j = i + 1;
    while (j < window.end && log.events[j] == log.events[i]) ++j;
    if (shown == max_lines) break;
    p.user += std::to_string(++shown) + ". " + log.templates.at(log.events[i]);
    if (j - i > 1) p.user += "  (repeated " + std::to_string(j - i) + " times)";
    p.user += '\n';
    lines += j - i;
    i = j;
  }
  if (lines < window.end - window.begin) {
    p.user += "(" + std::to_string(window.end - window.begin - lines) + " more lines left out)\n";
  }
  return p;
}

LlmVerdict parse_llm_answer(std::string_view answer) {
  const std::string text = lower(answer);
  // The format asked for: the word right after "answer" (past ':', quotes, '*' of markdown).
  const std::size_t tag = text.find("answer");
  if (tag != std::string::npos) {
    std::size_t at = tag + 6;
    while (at < text.size() && !letter(text[at]) && text[at] != '\n') ++at;
    std::size_t end = at;
    while (end < text.size() && letter(text[end])) ++end;
    if (end > at) {
      const auto v = first_verdict_word(text.substr(at, end - at), 0);
      if (v != LlmVerdict::malformed) return v;
    }
  }
  // Otherwise the first verdict word anywhere (a model that ignored the format).
  return first_verdict_word(text, 0);
}

LlmDetection llm_detect(Runtime& rt, ChatClient& client, const EventLog& log,
                        const std::vector<Window>& windows, const LlmDetectOptions& options) {
  LlmDetection out;
  std::atomic<std::size_t> failures{0};
  std::mutex first_error_mutex;
  std::string first_error;
  const bool limited = options.max_failures > 0;

  // Windows with the same messages make the same prompt: each prompt is asked once.
  std::vector<LlmPrompt> prompts;
  std::vector<std::size_t> prompt_of(windows.size());
  std::unordered_map<std::string, std::size_t> seen;
  for (std::size_t w = 0; w < windows.size(); ++w) {
    auto prompt = loggpt_prompt(log, windows[w], options.max_lines);
    const auto [it, fresh] = seen.emplace(prompt.user, prompts.size());
    if (fresh) prompts.push_back(std::move(prompt));
    prompt_of[w] = it->second;
  }
  std::vector<LlmVerdict> answer(prompts.size(), LlmVerdict::malformed);
  std::vector<std::uint8_t> prompt_failed(prompts.size(), 0);
  Codelet ask("logs_llm_window");
  ask.cpu([&](TaskContext& ctx) {
    const auto k = ctx.arg<std::size_t>(0);
    if (limited && failures.load() >= options.max_failures) {
      prompt_failed[k] = 1;
      return;
    }
    try {
      answer[k] = parse_llm_answer(client.complete(prompts[k].system, prompts[k].user));
    } catch (const ChatError& e) {
      prompt_failed[k] = 1;
      if (failures.fetch_add(1) == 0) {
        std::lock_guard lock(first_error_mutex);
        first_error = e.what();
      }
    }
  });
  for (std::size_t k = 0; k < prompts.size(); ++k) rt.submit(ask, {}, k);
  rt.wait_all();
  // Stop at the limit, and when no request at all succeeded (nothing was judged).
  if ((limited && failures.load() >= options.max_failures) ||
      (!prompts.empty() && failures.load() == prompts.size())) {
    throw ChatError(first_error + " (stopped after " + std::to_string(failures.load()) +
                    " failed windows)");
  }
  for (std::size_t w = 0; w < windows.size(); ++w) {
    const bool failed = prompt_failed[prompt_of[w]] != 0;
    const LlmVerdict v = answer[prompt_of[w]];
    out.parsed.push_back(v);
    out.verdicts.push_back(!failed && v == LlmVerdict::abnormal);
    out.scores.push_back(out.verdicts.back() ? 1.0 : 0.0);
    out.failed += failed ? 1 : 0;
    out.malformed += !failed && v == LlmVerdict::malformed ? 1 : 0;
  }
  return out;
}

}  // namespace tessera::logs
