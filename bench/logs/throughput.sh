#!/usr/bin/env bash
# Drain parsing throughput on a large replayed log, on 1 and 2 workers, with peak RSS.
# Usage: bench/logs/throughput.sh [LINES] [SYSTEM]   (default 20000000 BGL)
# Writes the replayed log to ${TMPDIR:-/tmp} (about 160 bytes a line) and prints a table.
set -euo pipefail
cd "$(dirname "$0")/../.."
lines=${1:-20000000}
system=${2:-BGL}
bin=build/bin/tessera
tmp=${TMPDIR:-/tmp}
log="$tmp/tessera-${system}-${lines}.log"
sample="data/loghub/$system/${system}_2k.log"
structured="${sample}_structured.csv"
[[ -f "$structured" ]] || structured="../shared/data/loghub/$system/${system}_2k.log_structured.csv"
if [[ ! -f "$log" ]]; then
  /usr/bin/time -f "replay: %e s" "$bin" logs replay --from "$sample" --structured "$structured" \
    --lines "$lines" --out "$log"
fi
echo "| workers | mode | lines/s | wall s | peak RSS MB | templates (clusters) |"
echo "|---|---|---|---|---|---|"
for mode in published improved; do
  flag=""
  [[ $mode == improved ]] && flag="--improved"
  for n in 1 2; do
    out=$("/usr/bin/time" -f "RSS %M" "$bin" logs parse --log "$log" --preset "$system" $flag \
      --out "$tmp/tessera-parsed" --templates-only --quiet --ncpu "$n" 2>&1)
    rate=$(sed -n 's/.* s: \([0-9]*\) lines\/s.*/\1/p' <<<"$out")
    secs=$(sed -n 's/.* in \([0-9.]*\) s: .*/\1/p' <<<"$out")
    tpl=$(sed -n 's/.* lines\/s, \([0-9]* templates ([0-9]* Drain clusters)\).*/\1/p' <<<"$out")
    rss=$(sed -n 's/RSS \([0-9]*\)/\1/p' <<<"$out")
    echo "| $n | $mode | $rate | $secs | $((rss / 1024)) | $tpl |"
  done
done
