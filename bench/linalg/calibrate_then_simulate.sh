#!/usr/bin/env bash
# Calibrate here, simulate bigger (the real-kernel issue, item 4): real tiled Cholesky runs on
# this machine's CPU workers fill a fresh model directory; `tessera platform from-models`
# turns those models into a platform; `tessera sim` then predicts the makespan of the same
# graphs, which is compared with the measured time (median of the runs after the first).
#
#   bench/linalg/calibrate_then_simulate.sh [BUILD_DIR] [NCPU]      (defaults: build 2)
set -euo pipefail
build=${1:-build}
ncpu=${2:-2}
tessera=$build/bin/tessera
export TESSERA_PERFMODEL_DIR
TESSERA_PERFMODEL_DIR=$(mktemp -d)
trap 'rm -rf "$TESSERA_PERFMODEL_DIR"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }

printf "%-9s %-6s %-5s %-9s %12s %12s %8s\n" algorithm n nb policy "real ms" "simulated ms" "error"
for config in "cholesky 4096 512" "cholesky 8192 512" "cholesky 4096 256" "cholesky 8192 256" "lu 4096 512" "lu 8192 512"; do
  read -r algorithm n nb <<<"$config"
  for policy in lws dmdas; do
    # Five runs: the first calibrates, the median of the other four is the measurement.
    real=$("$tessera" "$algorithm" --n "$n" --nb "$nb" --ncpu "$ncpu" --sched "$policy" --repeat 5 |
           awk '/^run [2-9]/ {for (i = 1; i <= NF; ++i) if ($(i+1) == "s,") print $i * 1000}' | median)
    platform=$TESSERA_PERFMODEL_DIR/platform-$nb.json
    gemm=gemm_nt
    [[ $algorithm == lu ]] && gemm=gemm_nn
    "$tessera" platform from-models --ncpu "$ncpu" --tile "$nb" --gemm $gemm -o "$platform" 2>/dev/null
    tiles=$(( (n + nb - 1) / nb ))
    simulated=$("$tessera" sim --platform "$platform" --dag "$algorithm:$tiles:nb=$nb:elem=8" --sched "$policy" |
                awk '/^makespan/ {print $2}')
    awk -v a="$algorithm" -v n="$n" -v nb="$nb" -v p="$policy" -v r="$real" -v s="$simulated" \
      'BEGIN {printf "%-9s %-6s %-5s %-9s %12.1f %12.1f %+7.1f%%\n", a, n, nb, p, r, s, 100 * (s - r) / r}'
  done
done
