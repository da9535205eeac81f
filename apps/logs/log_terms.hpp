#pragma once
// Log-aware terms for retrieval. A plain text tokenizer cuts `blk_-6369730481066968769`,
// `10.250.7.146:50010` or `/mnt/hadoop/dfs/...` into meaningless pieces, or keeps them
// whole so that a question naming only part of one never matches. Here each identifier
// gives its whole form (lower case) and its pieces split at _ - . / : = @ (so `blk_-63697`
// gives `blk_-63697`, `blk` and `63697`); alphabetic pieces also give their English stem
// with the prefix Z (Xapian's convention), so that `failures` in a question finds
// `failure`. Questions get the same terms without common English question words.

#include <string>
#include <string_view>
#include <vector>

namespace tessera::logs {

// Terms of a log line, with repetitions (their count is the term's frequency in the line).
std::vector<std::string> log_terms(std::string_view text);
// Terms of a question: log_terms without stop words (what, is, the, ...).
std::vector<std::string> question_terms(std::string_view question);

}  // namespace tessera::logs
