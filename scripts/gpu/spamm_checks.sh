#!/usr/bin/env bash
# SpAMM's GPU checks (issue 8), in one run of a few minutes on a machine with one NVIDIA GPU
# (H100/H200), from the binaries that scripts/gpu/stage.sh puts in .dev/gpu (bin/, lib/).
# Writes everything under $OUT (default: ./gpu-out/spamm).
#   1. the CUDA SpAMM tests: the GPU kernels (FP32 and tensor cores) against the CPU ones,
#      GPU and CPU workers together, the dense cuBLAS baseline against OpenBLAS;
#   2. `tessera spamm` at n = 16384 and 32768 on the GPU alone, FP32 and FP16 (tensor-core)
#      products, against cuBLAS sgemm and FP16 gemmEx of the same matrix: speedup and error
#      (against cuBLAS sgemm's product: a CPU reference is out of reach at these sizes).
#
#   STAGE=.dev/gpu OUT=gpu-out/spamm scripts/gpu/spamm_checks.sh
set -uo pipefail
out=${OUT:-gpu-out/spamm}
default_timeout=90
source "$(dirname "$0")/common.sh"

if [[ -x "$bin/spamm_tests" ]]; then
  run "$bin/spamm_tests" --gtest_filter='CudaSpamm*'
else
  step "skipped: $bin/spamm_tests is not staged"
fi

# Exponential decay (c = 1, v = 0.1): in FP32 its tiles beyond the neighbours of the diagonal
# are zero, so tau = 1e-30 skips only exact zeros (error = FP32 rounding); tau = 0.05 also
# skips the products of two off-diagonal tiles. --repeat 3: the first run moves A to the GPU.
# on_gpu MATRIX ARGS...: one `tessera spamm` on the GPU alone with the dense baselines.
on_gpu() {
  local matrix=$1
  shift
  run "$bin/tessera" spamm --matrix "$matrix" --ncpu 0 --ncuda 1 --repeat 3 --dense-gpu-baseline "$@"
}
on_gpu exp:1,0.1 --n 16384 --tile 256 --tau 1e-30 --precision fp32
on_gpu exp:1,0.1 --n 16384 --tile 512 --tau 1e-30 --precision fp32
on_gpu exp:1,0.1 --n 16384 --tile 256 --tau 1e-30 --precision fp16
on_gpu exp:1,0.1 --n 16384 --tile 256 --tau 0.05 --precision fp32
on_gpu exp:1,0.1 --n 32768 --tile 512 --tau 1e-30 --precision fp32
on_gpu exp:1,0.1 --n 32768 --tile 512 --tau 1e-30 --precision fp16
# The algebraic decay (c = 0.1, v = 0.1) hardly decays: a tenth of the products, large error.
on_gpu alg:0.1,0.1 --n 16384 --tile 256 --valid-rate 0.1 --precision fp32
step "done"
