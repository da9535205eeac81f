#pragma once
// Log question answering data (the LogQA dataset's format) and its metrics.
//
// A file holds one JSON object a line: "Question", "Answer" (a span of the raw log line) and
// "RawLog" (the content of the line the answer comes from). Reading never stops at a bad
// line: it is skipped, and the reason (with its line number) is kept for the report.
// Exact match and token F1 follow SQuAD's evaluation script (lower case, punctuation and
// the articles a/an/the removed, whitespace collapsed), as LogQA reports them.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::logs {

struct QaExample {
  std::string question;
  std::string answer;
  std::string raw_log;
  std::size_t line = 0;  // 1-based line of the file it came from
};

struct QaFile {
  std::vector<QaExample> examples;
  std::vector<std::string> skipped;  // "FILE:LINE: reason", one per skipped line
};

// Reads a QA file; throws InvalidArgument when it cannot be opened. Blank lines are ignored.
QaFile read_qa_file(const std::string& path);
// The same from text (`name` stands for the file in messages).
QaFile parse_qa_text(std::string_view text, const std::string& name);

// SQuAD's normalization of an answer.
std::string normalize_answer(std::string_view s);
bool exact_match(std::string_view prediction, std::string_view gold);
// Token-level F1 of the normalized answers (1 when both are empty).
double token_f1(std::string_view prediction, std::string_view gold);

}  // namespace tessera::logs
