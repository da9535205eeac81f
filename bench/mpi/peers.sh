#!/usr/bin/env bash
# Tessera's distributed Cholesky and LU against ScaLAPACK (pdpotrf, pdgetrf) and StarPU-MPI
# (starpu_mpi_task_insert) on the same ranks, grids, tile size and input, one CPU worker
# (or process) per rank and one OpenBLAS thread each. Each run is repeated and the best time
# kept. Writes results.csv, README-ready table.md and gflops.svg to OUT.
#   bench/mpi/peers.sh [build-dir] [out-dir] [sizes] [repeats]
# e.g. bench/mpi/peers.sh build bench/results/mpi-peers-2026-12-03 "4096 8192" 2
set -euo pipefail
BUILD=${1:-build}
OUT=${2:-$BUILD/mpi-peers}
SIZES=${3:-4096 8192}
REPEATS=${4:-2}
NB=${NB:-256}
GRIDS=${GRIDS:-1x1 2x1 1x2 2x2}
mkdir -p "$OUT"
MPIRUN=(mpirun --oversubscribe --allow-run-as-root --bind-to none -x OPENBLAS_NUM_THREADS=1)
export OPENBLAS_NUM_THREADS=1
log="$OUT/output.txt"
{
  echo "# $(date -u '+%F %T') UTC, $(uname -n), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
  echo "# Open MPI $(mpirun --version | head -1 | awk '{print $NF}'), NB=$NB, best of $REPEATS runs"
  echo "# command: NB=$NB GRIDS=\"$GRIDS\" bench/mpi/peers.sh $BUILD $OUT \"$SIZES\" $REPEATS"
} >"$log"
echo "peer,algorithm,n,nb,grid,ranks,seconds,gflops" >"$OUT/results.csv"

command_of() {  # peer algorithm n grid
  case $1 in
    tessera) echo "$BUILD/bin/tessera $2 --n $3 --nb $NB --grid $4 --ncpu 1 --no-bind --progress 0" ;;
    scalapack) echo "$BUILD/bin/tessera-peer-scalapack $2 --n $3 --nb $NB --grid $4" ;;
    starpu-mpi) echo "$BUILD/bin/tessera-peer-starpu-mpi $2 --n $3 --nb $NB --grid $4 --ncpu 1" ;;
  esac
}

peers=(tessera)
[[ -x $BUILD/bin/tessera-peer-scalapack ]] && peers+=(scalapack) || echo "peers.sh: no ScaLAPACK peer built: skipped" >&2
[[ -x $BUILD/bin/tessera-peer-starpu-mpi ]] && peers+=(starpu-mpi) || echo "peers.sh: no StarPU-MPI peer built: skipped" >&2

for n in $SIZES; do
  for algorithm in cholesky lu; do
    for grid in $GRIDS; do
      ranks=$(( ${grid%x*} * ${grid#*x} ))
      for peer in "${peers[@]}"; do
        best=""
        for ((r = 1; r <= REPEATS; ++r)); do
          cmd=$(command_of "$peer" "$algorithm" "$n" "$grid")
          echo "## mpirun -np $ranks $cmd" >>"$log"
          # shellcheck disable=SC2086
          out=$("${MPIRUN[@]}" -np "$ranks" $cmd 2>&1) || { echo "$out" >>"$log"; echo "peers.sh: failed: $cmd" >&2; exit 1; }
          echo "$out" >>"$log"
          seconds=$(grep -oE '[0-9.]+ s, [0-9.]+ GFLOP/s' <<<"$out" | tail -1 | awk '{print $1}')
          if [[ -z $best ]] || awk -v a="$seconds" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$seconds; fi
        done
        gflops=$(awk -v n="$n" -v s="$best" -v a="$algorithm" 'BEGIN {f = (a == "lu" ? 2 : 1) * n^3 / 3; printf "%.2f", f / s * 1e-9}')
        echo "$peer,$algorithm,$n,$NB,$grid,$ranks,$best,$gflops" >>"$OUT/results.csv"
        printf '%-10s %-8s n=%-5s %-4s %7.3f s %7.2f GFLOP/s\n' "$peer" "$algorithm" "$n" "$grid" "$best" "$gflops"
      done
    done
  done
done
python3 "$(dirname "$0")/peers_report.py" "$OUT/results.csv" "$OUT" "$log"
