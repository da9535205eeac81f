#!/usr/bin/env bash
# Log anomaly detection on BGL: every method on the same chronological split and windows.
# Usage: bench/logs/anomaly.sh [OUT_DIR] [LOG]   (default bench/results/anomaly-<date>, the
# BGL 2k sample). SEEDS="1 2 3" trains the sequence models once per seed (default 1); with
# LLM=http://host:port/v1 LLM_MODEL=name it also runs --method llm.
# Prints a markdown table (one row per run, then the mean F1 per window and method) and keeps
# each run's output and per-line verdicts in OUT_DIR.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-bench/results/anomaly-$(date +%F)}
log=${2:-data/loghub/BGL/BGL_2k.log}
bin=build/bin/tessera
mkdir -p "$out"
methods="pca deeplog loglm"
[[ -n "${LLM:-}" ]] && methods="$methods llm"
seeds=${SEEDS:-1}
summary=$(mktemp)
echo "| window | method | seed | precision | recall | F1 | top-k | validation F1 | seconds |"
echo "|---|---|---|---|---|---|---|---|---|"
for window in count:20 count:20,10 time:60,30; do
  for method in $methods; do
   run_seeds=$seeds
   [[ $method == pca || $method == llm ]] && run_seeds=1  # nothing random to vary
   for seed in $run_seeds; do
    name="$method-${window//[:,]/_}-seed$seed"
    extra=(--seed "$seed")
    [[ $method == llm ]] && extra=(--endpoint "$LLM" --model "${LLM_MODEL:-default}" --llm-cache "$out/llm-cache.jsonl")
    start=$(date +%s.%N)
    "$bin" logs detect --log "$log" --preset BGL --label-field Label --time-field Timestamp \
      --window "$window" --method "$method" --split 0.6,0.2 --quiet --out "$out/$name.csv" \
      "${extra[@]}" >"$out/$name.txt"
    secs=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
    line=$(grep '^test:' "$out/$name.txt")
    p=$(sed -n 's/.*precision \([0-9.]*\).*/\1/p' <<<"$line")
    r=$(sed -n 's/.*recall \([0-9.]*\).*/\1/p' <<<"$line")
    f=$(sed -n 's/.* F1 \([0-9.]*\) (.*/\1/p' <<<"$line")
    v=$(sed -n 's/.*validation F1 \([0-9.]*\).*/\1/p' <<<"$line")
    k=$(sed -n 's/^top-k \([0-9]*\).*/\1/p' "$out/$name.txt")
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %.1f |\n" "$window" "$method" "$seed" "$p" \
      "$r" "$f" "${k:--}" "$v" "$secs"
    echo "$window $method $f" >>"$summary"
   done
  done
done
echo
echo "| window | method | runs | mean F1 | min F1 | max F1 |"
echo "|---|---|---|---|---|---|"
awk '{ k = $1 " | " $2; n[k]++; s[k] += $3; if (!(k in lo) || $3 < lo[k]) lo[k] = $3;
       if (!(k in hi) || $3 > hi[k]) hi[k] = $3; if (!(k in order)) { order[k] = ++m; key[m] = k } }
     END { for (i = 1; i <= m; i++) { k = key[i];
       printf "| %s | %d | %.4f | %.4f | %.4f |\n", k, n[k], s[k] / n[k], lo[k], hi[k] } }' "$summary"
rm -f "$summary"
