#!/usr/bin/env bash
# Simulator throughput: simulated tasks per minute of wall time on Cholesky 64x64 tiles
# (45,760 tasks) on sirocco, per policy; wall time includes building the graph, the lower
# bound (GLPK) and the report.
# Usage: bench/sim_speed.sh [build-dir]
set -euo pipefail
build=${1:-build}
printf "%-11s %8s %12s %14s %12s\n" policy tasks "wall s" "M tasks/min" "makespan ms"
for sched in dmda dmdas heteroprio heft eager lws; do
  start=$(date +%s.%N)
  json=$("$build/bin/tessera" sim --dag cholesky:64 --platform sirocco --sched "$sched" --json)
  end=$(date +%s.%N)
  python3 - "$json" "$start" "$end" "$sched" <<'PY'
import json, sys
r = json.loads(sys.argv[1]); wall = float(sys.argv[3]) - float(sys.argv[2])
print(f"{sys.argv[4]:<11} {r['tasks']:>8} {wall:>12.3f} {r['tasks'] / wall * 60 / 1e6:>14.2f} {r['makespan_us'] / 1e3:>12.1f}")
PY
done
