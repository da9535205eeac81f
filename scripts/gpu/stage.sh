#!/usr/bin/env bash
# Stages a built tree for a machine with a GPU but none of the Debian packages: the programs
# and test binaries of the GPU checks, Tessera's libraries, and the non-system libraries they
# load (OpenBLAS, LAPACKE, hwloc, GLPK...), into one folder that travels with the working
# tree. CUDA's own libraries are not staged: the GPU machine has them.
#
#   scripts/gpu/stage.sh [BUILD_DIR] [STAGE_DIR]      (defaults: build .dev/gpu)
set -euo pipefail
build=${1:-build}
stage=${2:-.dev/gpu}
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/lib"
programs=(bin/tessera bin/tessera-bench-cusolver tests/codelets/codelet_tests tests/runtime/runtime_tests
          tests/spamm/spamm_tests)
for p in "${programs[@]}"; do
  [[ -x "$build/$p" ]] || { echo "stage.sh: $build/$p is missing (build with CUDA first)" >&2; exit 1; }
  cp "$build/$p" "$stage/bin/"
done
# Every library the programs load, except the C library, the loader and CUDA/driver libraries.
for p in "${programs[@]}"; do ldd "$build/$p"; done |
  awk '/=> \// {print $3}' | sort -u |
  grep -Ev '/(libc|libm|libpthread|libdl|librt|ld-linux[^/]*|libgcc_s)\.so|/libcuda|/libcublas|/libcusolver|/libcudart|/libcusparse|/libnvJitLink|/usr/local/cuda' |
  while read -r lib; do cp -L "$lib" "$stage/lib/"; done
du -sh "$stage"
# One compressed file travels faster and stays well under the device tool's 64 MiB.
tar -C "$(dirname "$stage")" -cJf "$stage.tar.xz" "$(basename "$stage")"
du -sh "$stage.tar.xz"
