#pragma once
// A language-model file holds everything needed to use the model again: its configuration,
// its tokenizer and its weights, with a format version and a checksum.
//
// Layout (little-endian): "TESSERALM", u32 version, then three sections each as u64 length
// + bytes (header JSON with the configuration and notes, serialized tokenizer, LibTorch
// archive of the named parameters), then u64 FNV-1a checksum of all bytes before it.

#include <filesystem>
#include <string>

#include "tessera/nn/model_config.hpp"
#include "tessera/nn/tokenizer.hpp"
#include "tessera/nn/transformer.hpp"

namespace tessera::nn {

inline constexpr unsigned kModelFileVersion = 1;

struct LanguageModel {
  ModelConfig config;
  Tokenizer tokenizer;
  DecoderLM model;
  std::string notes;  // JSON object: how it was trained (corpus, steps, seed, ...)
};

// Writes atomically (a temporary file renamed over `path`). Throws Error naming the path.
void save_model(const std::filesystem::path& path, const LanguageModel& lm);

// Throws InvalidArgument naming the file and what is wrong: missing, not a model file, of
// another format version, truncated, corrupt (checksum), a configuration out of range, a
// tokenizer whose vocabulary is not the model's, or weights that do not fit the
// configuration (the first parameter that differs).
LanguageModel load_model(const std::filesystem::path& path);

}  // namespace tessera::nn
