# Strict warnings for the project's own targets (never for third-party code).
# -Wno-restrict: GCC 12 reports false positives inside std::string's operator+ at -O2
# (GCC bug 105329); the warning is silenced, not the error policy.
function(tessera_strict_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX,C>:-Wall -Wextra -Werror -Wno-error=deprecated-declarations>
    $<$<AND:$<COMPILE_LANGUAGE:CXX>,$<CXX_COMPILER_ID:GNU>>:-Wno-restrict>)
endfunction()
