#!/usr/bin/env bash
# Calibrate here, simulate bigger (the real-kernel issue, item 4). For each algorithm and
# tile size: real runs at n = 4096 fill a fresh model directory; `tessera platform
# from-models` turns those models into a platform; `tessera sim` predicts the makespan of
# the n = 4096 and n = 8192 graphs under lws and dmdas; only then are those runs measured
# (median of the runs after the first) and compared with the prediction. The n = 8192
# predictions use no measurement of n = 8192.
#
#   bench/linalg/calibrate_then_simulate.sh [BUILD_DIR] [NCPU]      (defaults: build 2)
set -euo pipefail
build=${1:-build}
ncpu=${2:-2}
tessera=$build/bin/tessera
export TESSERA_PERFMODEL_DIR TESSERA_CALIBRATE=1
# Every measured duration goes into the models (calibration mode 1, as STARPU_CALIBRATE=1),
# not only the first ten of each size, which run while little else does and are faster
# than durations under full load.
TESSERA_PERFMODEL_DIR=$(mktemp -d)
trap 'rm -rf "$TESSERA_PERFMODEL_DIR"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
run_ms() {  # algorithm n nb policy -> median time in ms of runs 2..5
  "$tessera" "$1" --n "$2" --nb "$3" --ncpu "$ncpu" --sched "$4" --repeat 5 |
    awk '/^run [2-9]/ {for (i = 1; i <= NF; ++i) if ($(i+1) == "s,") print $i * 1000}' | median
}

printf "%-9s %-6s %-5s %-7s %14s %10s %8s\n" algorithm n nb policy "predicted ms" "real ms" "error"
for config in "cholesky 512" "cholesky 256" "lu 512"; do
  read -r algorithm nb <<<"$config"
  "$tessera" "$algorithm" --n 4096 --nb "$nb" --ncpu "$ncpu" --repeat 3 >/dev/null  # calibration
  gemm=gemm_nt
  [[ $algorithm == lu ]] && gemm=gemm_nn
  platform=$TESSERA_PERFMODEL_DIR/platform.json
  "$tessera" platform from-models --ncpu "$ncpu" --tile "$nb" --gemm $gemm -o "$platform" 2>/dev/null
  for n in 4096 8192; do
    for policy in lws dmdas; do
      tiles=$(( (n + nb - 1) / nb ))
      predicted=$("$tessera" sim --platform "$platform" --dag "$algorithm:$tiles:nb=$nb:elem=8" --sched "$policy" |
                  awk '/^makespan/ {print $2}')
      real=$(run_ms "$algorithm" "$n" "$nb" "$policy")
      awk -v a="$algorithm" -v n="$n" -v nb="$nb" -v p="$policy" -v r="$real" -v s="$predicted" \
        'BEGIN {printf "%-9s %-6s %-5s %-7s %14.1f %10.1f %+7.1f%%\n", a, n, nb, p, s, r, 100 * (s - r) / r}'
    done
  done
done
