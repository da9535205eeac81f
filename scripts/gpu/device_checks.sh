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
stage=${STAGE:-.dev/gpu}
out=${OUT:-gpu-out}
mkdir -p "$out"
if [[ ! -d "$stage" && -f "$stage.tar.xz" ]]; then tar -C "$(dirname "$stage")" -xJf "$stage.tar.xz"; fi
export LD_LIBRARY_PATH="$PWD/$stage/lib:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}"
export TESSERA_PERFMODEL_DIR="$PWD/gpu-models"
bin=$stage/bin
log=$out/log.txt
step() { echo "== $* ($(date -u +%H:%M:%S))" | tee -a "$log"; }
run() { step "$*"; timeout "${STEP_TIMEOUT:-240}" "$@" 2>&1 | tee -a "$log"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>&1 | tee -a "$log"
nproc | tee -a "$log"
missing=$(ldd "$bin/tessera" | grep "not found")
[[ -z "$missing" ]] || { echo "missing libraries: $missing" | tee -a "$log"; exit 1; }

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
