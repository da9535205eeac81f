#!/usr/bin/env bash
# Usage: run-bounded.sh SECONDS COMMAND [ARGS...]
#
# Runs COMMAND in a session of its own and makes sure that nothing of it outlives SECONDS:
# then every process of the session gets TERM, and KILL 5 s later. Processes left behind
# when COMMAND ends (say, MPI ranks whose mpirun died) are killed too. Used by the MPI tests:
# killing mpirun alone can leave ranks that hold ctest's output pipe open, and ctest then
# waits for them forever, whatever the test's TIMEOUT.
set -uo pipefail

if [[ $# -lt 2 || ! "$1" =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS COMMAND [ARGS...]" >&2
  exit 2
fi
limit=$1
shift

setsid "$@" &
job=$!

# The watchdog is a session of its own too, so that stopping it stops its sleep as well.
setsid bash -c "sleep $limit
  echo \"run-bounded: '$*' still running after $limit s; stopping all of its processes\" >&2
  kill -TERM -- -$job 2>/dev/null; sleep 5; kill -KILL -- -$job 2>/dev/null" &
watchdog=$!
disown "$watchdog"

wait "$job"
status=$?
kill -KILL -- "-$watchdog" 2>/dev/null
kill -KILL -- "-$job" 2>/dev/null
exit "$status"
