#pragma once
// The C interface of libtessera_sentencepiece, the module that holds sentencepiece.
//
// Why a separate module: Debian's libsentencepiece carries its own copy of protobuf-lite
// and exports its symbols; in a process that also loads LibTorch (which links the system
// libprotobuf) the two copies interpose and the process crashes while loading. The tokenizer
// therefore opens this module with dlopen(RTLD_LOCAL | RTLD_DEEPBIND): sentencepiece binds
// to its own protobuf, and nothing of it enters the global symbol scope.
//
// Every function returns 0 on success, or writes a message into `error` (at most
// `error_size` bytes, NUL-terminated) and returns -1. Buffers returned through `out`
// pointers are malloc'ed: release them with tsp_free_buffer.

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct tsp_processor tsp_processor;

int tsp_train(const char* const* lines, const size_t* lengths, size_t count, const char* args,
              unsigned seed, char** proto, size_t* proto_size, char* error, size_t error_size);
int tsp_load(const char* proto, size_t size, tsp_processor** out, char* error, size_t error_size);
void tsp_release(tsp_processor* processor);
int tsp_pieces(const tsp_processor* processor);
int tsp_special_ids(const tsp_processor* processor, int* unk, int* bos, int* eos, int* pad);
int tsp_encode(const tsp_processor* processor, const char* text, size_t size, int** ids,
               size_t* count, char* error, size_t error_size);
int tsp_decode(const tsp_processor* processor, const int* ids, size_t count, char** text,
               size_t* size, char* error, size_t error_size);
void tsp_free_buffer(void* buffer);

#ifdef __cplusplus
}
#endif
