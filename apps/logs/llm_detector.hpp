#pragma once
// Log anomaly detection by prompting a large language model (LogGPT, Qi et al., arXiv
// 2309.01189): each window of parsed log messages goes into a prompt made of a task
// description, a format statement and the messages; the model's answer is parsed into a
// verdict. Answers that follow no format are counted, not fatal. Windows are asked in
// parallel tasks through one ChatClient; windows with the same messages are asked once.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <tessera/runtime.hpp>

#include "logs/llm_client.hpp"
#include "logs/windows.hpp"

namespace tessera::logs {

struct LlmPrompt {
  std::string system;  // the task description and the format statement
  std::string user;    // the window's messages, numbered
};

// The prompt of one window: its messages' templates in order, a run of one message shown
// once with its count, at most `max_lines` of them (then how many were left out).
LlmPrompt loggpt_prompt(const EventLog& log, const Window& window, std::size_t max_lines = 100);

enum class LlmVerdict { normal, abnormal, malformed };
// "Answer: abnormal ..." (any case, any text around it); failing that, the first verdict
// word of the text ("abnormal", "anomalous", "anomaly" or "normal"); else malformed.
LlmVerdict parse_llm_answer(std::string_view answer);

struct LlmDetectOptions {
  std::size_t max_lines = 100;
  // Stop asking once this many requests failed (the endpoint is down or misbehaving): the
  // call then throws ChatError with the first failure; it also throws when every request
  // failed. 0: no limit.
  std::size_t max_failures = 3;
};

struct LlmDetection {
  std::vector<bool> verdicts;      // per window; a malformed or failed answer counts as normal
  std::vector<double> scores;      // 1 for abnormal, else 0
  std::vector<LlmVerdict> parsed;  // per window
  std::size_t malformed = 0;       // answers that follow no format
  std::size_t failed = 0;          // windows whose request failed after its retries
};

LlmDetection llm_detect(Runtime& runtime, ChatClient& client, const EventLog& log,
                        const std::vector<Window>& windows, const LlmDetectOptions& options = {});

}  // namespace tessera::logs
