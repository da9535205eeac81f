# -DTESSERA_SANITIZE=thread or -DTESSERA_SANITIZE=address,undefined instruments every
# project target (the library, plugins, tests and apps).
if(TESSERA_SANITIZE)
  if(TESSERA_SANITIZE MATCHES "thread" AND TESSERA_SANITIZE MATCHES "address")
    message(FATAL_ERROR "TESSERA_SANITIZE: 'thread' cannot be combined with 'address'")
  endif()
  set(_tessera_san_flags -fsanitize=${TESSERA_SANITIZE} -fno-omit-frame-pointer -g)
  if(TESSERA_SANITIZE MATCHES "undefined")
    list(APPEND _tessera_san_flags -fno-sanitize-recover=undefined)
  endif()
  # GCC's flow analysis reports maybe-uninitialized false positives inside libstdc++ when
  # sanitizer instrumentation changes inlining; keep the warning in normal builds only.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND _tessera_san_flags -Wno-maybe-uninitialized)
  endif()
  add_compile_options(${_tessera_san_flags})
  add_link_options(-fsanitize=${TESSERA_SANITIZE})
  message(STATUS "Tessera: sanitizers enabled: ${TESSERA_SANITIZE}")
endif()
