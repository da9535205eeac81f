#!/usr/bin/env bash
# Distributed Cholesky and LU on several process grids of this machine: time, residual, and
# the measured communication against the 2D block-cyclic model.
#   bench/mpi/cholesky_grids.sh [build-dir] [n] [nb]
set -euo pipefail
BUILD=${1:-build}
N=${2:-4096}
NB=${3:-256}
TESSERA="$BUILD/bin/tessera"
MPIRUN=(mpirun --oversubscribe --allow-run-as-root --bind-to none)
echo "# $(date -u +%F) $(uname -n), $(nproc) cores, Open MPI $(mpirun --version | head -1 | awk '{print $NF}')"
echo "## one process, 2 workers (reference)"
"$TESSERA" cholesky --n "$N" --nb "$NB" --ncpu 2 --check
for algo in cholesky lu; do
  for spec in 1:1x1 2:2x1 2:1x2 4:2x2 4:4x1; do
    np=${spec%%:*}
    grid=${spec#*:}
    echo "## $algo, $np ranks, grid $grid, 1 worker per rank"
    "${MPIRUN[@]}" -np "$np" "$TESSERA" "$algo" --n "$N" --nb "$NB" --grid "$grid" --ncpu 1 --no-bind --check
  done
done
