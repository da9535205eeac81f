#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan, any report fatal) and runs each for
# a few seconds from the seed corpus in tests/fuzz/corpus: the platform and DAG readers,
# policy and DAG generator specs, performance-model files (Tessera's and StarPU's), Matrix
# Market files, and the simulator under every policy. A crash, a sanitizer report, a leak, a
# hang or an exception other than the reader's documented one fails the run; the input that
# caused it is kept in <build>/artifacts (fuzz_simulate: TESSERA_FUZZ_DUMP=1 prints the
# platform and DAG it decodes from one).
# Usage: scripts/fuzz.sh [build-dir] [seconds-per-target] [jobs]
set -euo pipefail
build=${1:-build-fuzz}
seconds=${2:-20}
jobs=${3:-$(nproc)}
cd "$(dirname "$0")/.."
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTESSERA_FUZZ=ON > "$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" -j"$jobs" > "$build.build.log" 2>&1 || { tail -50 "$build.build.log"; exit 1; }
mkdir -p "$build/artifacts"
for target in platform dag_json dag_dot dag_stg policy_spec dag_spec perfmodel starpu_perfmodel \
    matrix_market simulate; do
  corpus="$build/corpus/$target"
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/$target/* "$corpus/"
  echo "fuzzing $target for $seconds s"
  if ! "$build/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$build/artifacts/$target-" "$corpus" > "$build/fuzz_$target.log" 2>&1; then
    tail -40 "$build/fuzz_$target.log"
    echo "fuzz_$target failed: see $build/artifacts" >&2
    exit 1
  fi
  grep -E "^Done|stat::number_of_executed_units" "$build/fuzz_$target.log" | tail -1 || true
done
echo "fuzzing passed"
