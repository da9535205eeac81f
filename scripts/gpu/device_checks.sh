#!/usr/bin/env bash
# The GPU checks of the real-kernel issue, in one run on a machine with one NVIDIA GPU
# (prepared for the device tool: binaries staged by scripts/gpu/stage.sh into .dev/gpu).
# Writes everything under $OUT (default: ./gpu-out).
#   1. the CUDA codelet tests (Cholesky/LU residuals on the GPU, alone and with CPU workers)
#      and the device-memory tests;
#   2. correctness at n = 8192 with --check, GPU alone and GPU + CPU workers;
#   3. the benchmarks: Cholesky n = 32768 and LU n = 16384 in double precision, Tessera
#      against cuSOLVER's one-call dpotrf/dgetrf on the same matrix.
set -uo pipefail
out=${OUT:-gpu-out}
default_timeout=240
source "$(dirname "$0")/common.sh"

run "$bin/codelet_tests" --gtest_filter='*Cuda*'
run "$bin/runtime_tests" --gtest_filter='*MockDevices*:*Device*'

cpus=$(( $(nproc) - 2 ))
run "$bin/tessera" cholesky --n 8192 --nb 1024 --ncpu 0 --ncuda 1 --check
run "$bin/tessera" lu --n 8192 --nb 1024 --ncpu 0 --ncuda 1 --check
run "$bin/tessera" cholesky --n 8192 --nb 1024 --ncpu "$cpus" --ncuda 1 --sched dmdas --check --repeat 2
run "$bin/tessera" lu --n 8192 --nb 1024 --ncpu "$cpus" --ncuda 1 --sched dmdas --check --repeat 2

run "$bin/tessera-bench-cusolver" --algorithm cholesky --n 32768 --repeat 3
run "$bin/tessera-bench-cusolver" --algorithm lu --n 16384 --repeat 3
run "$bin/tessera-bench-cusolver" --algorithm lu --n 16384 --repeat 3 --pivot
for nb in 2048 1024; do
  run "$bin/tessera" cholesky --n 32768 --nb $nb --ncpu 0 --ncuda 1 --repeat 4
  run "$bin/tessera" lu --n 16384 --nb $nb --ncpu 0 --ncuda 1 --repeat 4
done
run "$bin/tessera" cholesky --n 32768 --nb 2048 --ncpu "$cpus" --ncuda 1 --sched dmdas --repeat 3
run "$bin/tessera" cholesky --n 32768 --nb 2048 --ncpu "$cpus" --ncuda 1 --sched inspirit --repeat 3
step "done"
