#!/usr/bin/env bash
# SpAMM's graph in the simulator: makespan and GPU load balance under Tessera's policies
# against cuSpAMM's static even row split, on built-in multi-GPU platforms.
#   bench/spamm/simulate.sh [BUILD_DIR]   (prints to stdout)
set -euo pipefail
build=${1:-build}
policies=eager,lws,ws,random,prio,dmda,dmdas,heteroprio,heft,inspirit
sim() { echo; echo "\$ tessera spamm --simulate $*"; "$build/bin/tessera" spamm --simulate "$@" --policies "$policies"; }
# Exponential decay (c = 1, v = 0.1): FP32 makes it block-tridiagonal; almost every C tile
# far from the diagonal has no product at all.
sim idgraf --n 32768 --tile 512 --tau 1e-30 --matrix exp:1,0.1
# Slower exponential decay (v = 0.99): a band of several tiles, uneven work between C tiles.
sim idgraf --n 32768 --tile 512 --tau 1e-3 --matrix exp:1,0.99
# Algebraic decay (c = 0.1, v = 0.1), 10% of the products (large error, see docs/spamm.md).
sim idgraf --n 32768 --tile 512 --valid-rate 0.1 --matrix alg:0.1,0.1
# 4 GPUs and 20 CPU cores, the cores allowed to take SpAMM tasks too.
sim sirocco --n 16384 --tile 512 --tau 1e-3 --matrix exp:1,0.99 --sim-cpus
