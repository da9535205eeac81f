#!/usr/bin/env bash
# Whole-graph planning in real runs (pause/resume): tiled Cholesky and LU on this machine's
# CPU cores, each policy run as tasks are submitted and, for the planning policies, with the
# whole graph submitted as one batch, so that INSPIRIT's planned start and HEFT plan all of
# it before the first task starts. Same matrix, same run. Writes OUT/cholesky.csv,
# OUT/lu.txt and prints both.
#
#   bench/linalg/batch_planning.sh OUT_DIR [BUILD_DIR] [NCPU]      (defaults: build 2)
set -euo pipefail
out=${1:?usage: batch_planning.sh OUT_DIR [BUILD_DIR] [NCPU]}
build=${2:-build}
ncpu=${3:-2}
mkdir -p "$out"

# Cholesky: OpenBLAS dpotrf as the reference, lws, INSPIRIT's dynamic stage alone
# (plan=0), INSPIRIT as tasks arrive (it plans what it knows at the first pop), and
# INSPIRIT and HEFT on the whole graph as one batch.
"$build/bin/tessera-bench-cholesky" --n 4096,8192 --nb 512,256 --repeat 3 --warmup 2 \
  --ncpu "$ncpu" --tessera lws,inspirit:plan=0,inspirit,heft --batched inspirit,heft \
  --starpu "" --csv "$out/cholesky.csv" | tee "$out/cholesky.txt"

# LU (no OpenBLAS or StarPU rows): median GFLOP/s of runs 2..4 (the first calibrates).
median() { sort -g | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
{
  printf "%-6s %-5s %-26s %12s\n" n nb policy "GFLOP/s"
  for n in 4096 8192; do
    for nb in 512 256; do
      for run in "lws" "inspirit:plan=0" "inspirit" "inspirit --batch" "heft" "heft --batch"; do
        read -r policy flag <<<"$run"
        gflops=$("$build/bin/tessera" lu --n "$n" --nb "$nb" --ncpu "$ncpu" --sched "$policy" \
                   --repeat 4 ${flag:-} | awk '/^run [2-9]/ {print $(NF-1)}' | median)
        printf "%-6s %-5s %-26s %12.2f\n" "$n" "$nb" "$policy${flag:+ $flag}" "$gflops"
      done
    done
  done
} | tee "$out/lu.txt"
