#!/usr/bin/env bash
# Mimose's figure (issue 18): time per epoch of every checkpointing planner at memory budgets
# from 40% to 90% of the no-checkpointing peak, normalized to no checkpointing, and whether
# each stayed within the budget at every iteration.
#
# The fixed plans (none, all, sublinear, static) run with --budget-mode soft: measured
# against the budget, not limited by it (a hard budget would stop them at their first
# iteration over it). mimose and dtr run with hard budgets: an allocation past the budget is
# refused, and mimose re-plans that iteration.
#
# Every run is repeated REPEATS times (default 2), the repeats interleaved, and the fastest
# epoch is kept: this 2-core VM's speed drifts by 5-10% from minute to minute. FIRST_REPEAT=k
# adds repeats k..REPEATS to an earlier run's directory; PLANNERS="mimose" reruns only the
# budgeted runs of those planners (their old files are replaced), keeping the other runs.
#
# Usage: bench/mimose/budgets.sh [build-dir] [out-dir]   (about 25 minutes on 2 cores)
# Writes OUT/<planner>[-<percent>].r<k>.{txt,csv}, OUT/output.txt, OUT/table.md, OUT/time.svg.
set -euo pipefail
build=${1:-build}
out=${2:-bench/results/mimose-$(date -u +%F)}
tessera=$build/bin/tessera
mkdir -p "$out"
repeats=${REPEATS:-2}
# TRAIN_ARGS replaces the model and data options (a quick smoke run: see docs/mimose.md).
read -r -a common <<< "${TRAIN_ARGS:---model encoder:small --layers 6 --context 256 --batch 16 --pairs 960 --epochs 1} --quiet"

first=${FIRST_REPEAT:-1}
[[ $first != 1 || -n ${PLANNERS:-} ]] || : > "$out/output.txt"  # a continuation appends
{
  echo "# date: $(date -u '+%F %T UTC')"
  echo "# machine: $(nproc) cores ($(lscpu | sed -n 's/^Model name: *//p' | head -1)), $(free -g | awk '/^Mem/ {print $2}') GiB, $(. /etc/os-release && echo "$PRETTY_NAME")"
  echo "# command: bench/mimose/budgets.sh $*"
  echo "# each run: tessera train ${common[*]} --planner P --budget B [--budget-mode soft]"
  [[ $first == 1 ]] || echo "# repeats $first to $repeats added"
  [[ -z ${PLANNERS:-} ]] || echo "# rerun of the budgeted runs of: $PLANNERS (repeats $first to $repeats)"
} >> "$out/output.txt"

run() {
  local name=$1
  shift
  echo "== $name.r$repeat: tessera train $*" | tee -a "$out/output.txt"
  if ! "$tessera" train "${common[@]}" "$@" --csv "$out/$name.r$repeat.csv" > "$out/$name.r$repeat.txt" 2>&1; then
    echo "FAILED" >> "$out/$name.r$repeat.txt"
  fi
  grep -E "^(epoch|peak)" "$out/$name.r$repeat.txt" | tee -a "$out/output.txt" || true
}

repeat=1
[[ $first != 1 || -n ${PLANNERS:-} ]] || run none --planner none --budget 1000000 --budget-mode soft
peak=$(awk '/^peak / {print $2}' "$out/none.r1.txt")
echo "# no-checkpointing peak: $peak MB" >> "$out/output.txt"
budgeted=${PLANNERS:-mimose dtr static}
for planner in ${PLANNERS:-}; do rm -f "$out/$planner"-[0-9]*.r*.{txt,csv}; done
for repeat in $(seq "$first" "$repeats"); do
  if [[ -z ${PLANNERS:-} ]]; then
    [[ $repeat == 1 ]] || run none --planner none --budget 1000000 --budget-mode soft
    run all --planner all --budget "$peak" --budget-mode soft
    run sublinear --planner sublinear --budget "$peak" --budget-mode soft
  fi
  for percent in 40 50 60 70 80 90; do
    budget=$(awk -v p="$peak" -v f="$percent" 'BEGIN {printf "%.1f", p * f / 100}')
    for planner in $budgeted; do
      mode=()
      [[ $planner == static ]] && mode=(--budget-mode soft)
      run "$planner-$percent" --planner "$planner" --budget "$budget" "${mode[@]}"
    done
  done
done
python3 "$(dirname "$0")/report.py" "$out"
