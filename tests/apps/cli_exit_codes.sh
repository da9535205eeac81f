#!/usr/bin/env bash
# The exit-code contract of docs/cli.md, on every subcommand: a bad option is a usage error
# (status 2, "tessera: error:" on stderr), --help succeeds, and a bad value that parses
# (a negative size, a non-finite number) is refused with its option named.
# Usage: cli_exit_codes.sh PATH/TO/tessera
set -uo pipefail
tessera=$1
failures=0
expect() {  # expect STATUS PATTERN ARGS...
  local want=$1 pattern=$2
  shift 2
  local out status
  out=$("$tessera" "$@" 2>&1)
  status=$?
  if [[ $status -ne $want ]] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL: tessera $* -> status $status (want $want), output: ${out:0:300}"
    failures=$((failures + 1))
  fi
}
# Every leaf subcommand, read from the help screens, so that a new one is covered too.
subcommands() {
  "$tessera" "$@" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'
}
leaves=()
for top in $(subcommands); do
  subs=$(subcommands "$top")
  if [[ -z $subs ]]; then
    leaves+=("$top")
  else
    for sub in $subs; do leaves+=("$top $sub"); done
  fi
done
[[ ${#leaves[@]} -ge 15 ]] || { echo "FAIL: only ${#leaves[@]} subcommands found"; exit 1; }
for leaf in "${leaves[@]}"; do
  # shellcheck disable=SC2086
  expect 2 "^tessera: error: " $leaf --no-such-option
  # shellcheck disable=SC2086
  expect 0 "Usage:" $leaf --help
done
expect 2 "^tessera: error: A subcommand is required" 
expect 2 "tessera: error: --n: must not be negative" cholesky --n -1
expect 2 "tessera: error: --tau: must be a finite number" spamm --tau nan
expect 2 "tessera: error: --tau: must not be negative" spamm --tau -1
expect 2 "tessera: error: --valid-rate: Value 2 not in range" spamm --valid-rate 2
expect 1 "tessera: error: policy 'dmda': option alpha='nan' is not a finite number" \
  sim --dag cholesky:4 --platform idgraf --sched dmda:alpha=nan
expect 1 "tessera: error: policy 'dmda': option alpha='inf' is not a finite number" \
  sim --dag cholesky:4 --platform idgraf --sched dmda:alpha=inf
# Sizes within an option's range but beyond the machine's memory are named before allocating.
expect 1 "tessera: error: --n 100000 \(double precision\) needs about 160 GB, more than the" \
  cholesky --n 100000
expect 1 "tessera: error: DAG spec 'cholesky:100000' .* needs about" \
  sim --dag cholesky:100000 --platform idgraf
expect 1 "tessera: error: spamm --n 200000 needs about 320 GB" spamm --n 200000 --tau 0.1
mtx=$(mktemp --suffix=.mtx)
printf '%%%%MatrixMarket matrix coordinate real general\n100000000 100000000 1\n1 1 1.0\n' >"$mtx"
expect 1 "a 100000000 x 100000000 dense matrix needs about" spamm --matrix "$mtx" --tau 0.1
rm -f "$mtx"
TESSERA_MEMORY_BYTES=1000 expect 1 "--n 64 \(double precision\) needs about .* \(TESSERA_MEMORY_BYTES overrides\)" \
  cholesky --n 64 --nb 32
TESSERA_MEMORY_BYTES=lots expect 1 "TESSERA_MEMORY_BYTES='lots' is not a positive number of bytes" \
  cholesky --n 64 --nb 32
# Generator specs: numbers that do not fit, graphs too costly to draw or to hold.
expect 1 "option n='1e300' is not a whole number from 1 to 2147483647" \
  sim --dag random:n=1e300 --platform idgraf
expect 1 "candidate edges, more than 2e9" \
  sim --dag random:n=1000000,jump=1000000,fat=0.5 --platform idgraf
expect 1 "DAG spec 'cholesky:2000000000' \(about 1333333333333333[0-9]+ tasks\) needs more than" \
  sim --dag cholesky:2000000000 --platform idgraf
expect 1 "tessera: error: unknown scheduling policy 'nope' \(known: .*inspirit" policies --options nope
expect 0 "horizon_factor +2 " policies --options inspirit
# Log question answering: bad QA lines are skipped and named, the evaluation goes on; an
# empty log and a missing index are clear errors; a question with no match is answered so.
qa=$(mktemp --suffix=.jsonl)
logdir=$(dirname "$0")/../../data
printf '%s\n' '{"Question": "What is the status of the block blk_-6369730481066968769?", "Answer": "terminating", "RawLog": "PacketResponder 1 for block blk_-6369730481066968769 terminating"}' \
  'not json' '{"Question": "no answer field", "RawLog": "x"}' '{"Question": "zebra giraffe?", "Answer": "x", "RawLog": "x"}' >"$qa"
expect 0 "$qa:2: not valid JSON" logs eval-qa --logs "$logdir/loghub/HDFS/HDFS_2k.log" --qa "$qa"
expect 0 "$qa:3: no string field Answer" logs eval-qa --logs "$logdir/loghub/HDFS/HDFS_2k.log" --qa "$qa"
expect 0 "2 questions \(2 lines skipped, 1 matched no line of the log\)" \
  logs eval-qa --logs "$logdir/loghub/HDFS/HDFS_2k.log" --qa "$qa"
empty=$(mktemp --suffix=.log)
expect 1 "tessera: error: logs: the log '$empty' is empty" logs eval-qa --logs "$empty" --qa "$qa"
expect 1 "tessera: error: logs: no index in '/nonexistent'" logs ask --index /nonexistent --question "x?"
expect 1 "tessera: error: logs: give --logs FILE or --index DIR" logs ask --question "x?"
expect 0 "no line of the log shares a term" logs ask --logs "$logdir/loghub/HDFS/HDFS_2k.log" --question "zebra?"
expect 1 "tessera: error: slot reader: cannot open the model '/nonexistent.json'" \
  logs ask --logs "$logdir/loghub/HDFS/HDFS_2k.log" --question "x?" --model /nonexistent.json
rm -f "$qa" "$empty"
# Training under a memory budget: bad budgets, planners and models are refused before training.
if ! "$tessera" --help | grep -q "train .*no LibTorch"; then
  expect 1 "tessera: error: --budget must be a positive number of MB, got 0$" train --budget 0
  expect 1 "tessera: error: --budget must be a positive number of MB, got -5$" train --budget -5
  expect 1 "tessera: error: unknown planner 'best' \(known: mimose, none, all, sublinear, static, dtr\)" \
    train --budget 100 --planner best
  expect 1 "tessera: error: --model: expected encoder:SIZE" train --budget 100 --model decoder:tiny
  expect 1 "tessera: error: --budget 1.0 MB is below the .* MB that one iteration needs with every block checkpointed" \
    train --budget 1 --model encoder:tiny --layers 2 --context 64 --corpus logs:HDFS --pairs 16 --batch 8
fi
echo "${#leaves[@]} subcommands checked, $failures failures"
[[ $failures -eq 0 ]]
