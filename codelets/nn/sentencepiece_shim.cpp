// libtessera_sentencepiece: sentencepiece behind a C interface (see sentencepiece_shim.h).

#include "sentencepiece_shim.h"

#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

// Exported by libsentencepiece, not declared in its public headers.
namespace sentencepiece::logging {
void SetMinLogLevel(int level);
}

struct tsp_processor {
  sentencepiece::SentencePieceProcessor processor;
};

namespace {

int fail(const std::string& message, char* error, std::size_t error_size) {
  if (error != nullptr && error_size > 0) {
    const std::size_t n = std::min(message.size(), error_size - 1);
    std::memcpy(error, message.data(), n);
    error[n] = '\0';
  }
  return -1;
}

class Lines final : public sentencepiece::SentenceIterator {
 public:
  Lines(const char* const* lines, const std::size_t* lengths, std::size_t count)
      : lines_(lines), lengths_(lengths), count_(count) {
    load();
  }
  bool done() const override { return next_ >= count_; }
  void Next() override {
    ++next_;
    load();
  }
  const std::string& value() const override { return value_; }
  sentencepiece::util::Status status() const override { return {}; }

 private:
  void load() {
    while (next_ < count_ && lengths_[next_] == 0) ++next_;
    if (next_ < count_) value_.assign(lines_[next_], lengths_[next_]);
  }
  const char* const* lines_;
  const std::size_t* lengths_;
  std::size_t count_;
  std::size_t next_ = 0;
  std::string value_;
};

template <class T>
T* copy_out(const T* data, std::size_t count) {
  auto* out = static_cast<T*>(std::malloc(count == 0 ? 1 : count * sizeof(T)));
  if (out != nullptr && count > 0) std::memcpy(out, data, count * sizeof(T));
  return out;
}

}  // namespace

extern "C" {

int tsp_train(const char* const* lines, const std::size_t* lengths, std::size_t count,
              const char* args, unsigned seed, char** proto, std::size_t* proto_size, char* error,
              std::size_t error_size) {
  try {
    Lines it(lines, lengths, count);
    std::string model;
    // No log lines: besides being noise, a module opened with RTLD_DEEPBIND must not touch
    // std::cerr (it would bind to libstdc++'s own, not the program's initialized copy).
    sentencepiece::logging::SetMinLogLevel(3);
    sentencepiece::SetRandomGeneratorSeed(seed);
    const auto status = sentencepiece::SentencePieceTrainer::Train(args, &it, &model);
    if (!status.ok()) return fail(status.ToString(), error, error_size);
    *proto = copy_out(model.data(), model.size());
    *proto_size = model.size();
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), error, error_size);
  }
}

int tsp_load(const char* proto, std::size_t size, tsp_processor** out, char* error,
             std::size_t error_size) {
  try {
    auto* p = new tsp_processor;
    const auto status = p->processor.LoadFromSerializedProto(std::string_view(proto, size));
    if (!status.ok()) {
      delete p;
      return fail(status.ToString(), error, error_size);
    }
    *out = p;
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), error, error_size);
  }
}

void tsp_release(tsp_processor* processor) {
  delete processor;
}

int tsp_pieces(const tsp_processor* processor) {
  return processor->processor.GetPieceSize();
}

int tsp_special_ids(const tsp_processor* processor, int* unk, int* bos, int* eos, int* pad) {
  *unk = processor->processor.unk_id();
  *bos = processor->processor.bos_id();
  *eos = processor->processor.eos_id();
  *pad = processor->processor.pad_id();
  return 0;
}

int tsp_encode(const tsp_processor* processor, const char* text, std::size_t size, int** ids,
               std::size_t* count, char* error, std::size_t error_size) {
  try {
    std::vector<int> out;
    const auto status = processor->processor.Encode(std::string_view(text, size), &out);
    if (!status.ok()) return fail(status.ToString(), error, error_size);
    *ids = copy_out(out.data(), out.size());
    *count = out.size();
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), error, error_size);
  }
}

int tsp_decode(const tsp_processor* processor, const int* ids, std::size_t count, char** text,
               std::size_t* size, char* error, std::size_t error_size) {
  try {
    std::string out;
    const auto status = processor->processor.Decode(std::vector<int>(ids, ids + count), &out);
    if (!status.ok()) return fail(status.ToString(), error, error_size);
    *text = copy_out(out.data(), out.size());
    *size = out.size();
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what(), error, error_size);
  }
}

void tsp_free_buffer(void* buffer) {
  std::free(buffer);
}

}  // extern "C"
