# Strict warnings for the project's own targets (never for third-party code).
function(tessera_strict_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX,C>:-Wall -Wextra -Werror -Wno-error=deprecated-declarations>)
endfunction()
