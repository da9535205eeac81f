#pragma once
// Candidate answers in a log line, and the features a reader ranks them by.
//
// A line's content is cut into units: its whitespace tokens without surrounding
// punctuation, a `key=value` token giving `key` and `value`. A unit is a variable when its
// token is a <*> slot of the line's Drain template (or, when the template does not align
// with the tokens, when it holds a digit). Candidates are runs of one to three units (LogQA
// answers are one to three tokens: "terminating", "287.0 B", "Too many authentication").

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessera::logs {

struct AnswerUnit {
  std::size_t begin = 0;  // byte range in the content
  std::size_t end = 0;
  bool variable = false;
};

struct AnswerCandidate {
  std::size_t first = 0;  // first unit
  std::size_t units = 1;  // how many
  std::string text;       // the content's bytes from the first unit's begin to the last's end
};

// The units of a content, marked with its Drain template ("" when unknown).
std::vector<AnswerUnit> answer_units(std::string_view content, std::string_view event);
// Every run of 1 to max_units units.
std::vector<AnswerCandidate> answer_candidates(std::string_view content,
                                               const std::vector<AnswerUnit>& units,
                                               std::size_t max_units = 3);

// A sparse feature vector: (index, value) pairs in increasing index order.
using FeatureVector = std::vector<std::pair<std::uint32_t, float>>;

// The features of each candidate for a question: dense ones (position, length, whether it
// is a variable, holds digits, appears in the question, how far it is from the words the
// question shares with the line, ...) at indices below kDenseFeatures, then hashed
// indicators of the question's kind and words crossed with the candidate's shape and
// neighbours, in kHashBuckets buckets. The layout is part of a saved model's format
// (kFeatureVersion).
inline constexpr std::uint32_t kDenseFeatures = 32;
inline constexpr std::uint32_t kHashBuckets = 1u << 16;
inline constexpr int kFeatureVersion = 1;
std::vector<FeatureVector> candidate_features(std::string_view question, std::string_view content,
                                              const std::vector<AnswerUnit>& units,
                                              const std::vector<AnswerCandidate>& candidates);

// The baseline's answer: the first variable unit of the line (the first unit when none is).
std::string first_variable(std::string_view content, const std::vector<AnswerUnit>& units);

}  // namespace tessera::logs
