#!/usr/bin/env bash
# make models: the corpora and the trained small language models that the learning
# workloads start from, in a few minutes on a 2-core machine (docs/learning.md).
#
#   scripts/make-models.sh TESSERA_BINARY OUT_DIR
#
# Writes OUT_DIR/corpora/{kjv,logs}/{train,valid,test}.txt and OUT_DIR/{kjv,logs}-*.lm.
# The models of one corpus share the tokenizer of its tiny model (--tokenizer-from), so that
# a small model can draft for a larger one (speculative decoding needs one vocabulary).
set -euo pipefail
tessera=${1:?usage: make-models.sh TESSERA_BINARY OUT_DIR}
out=${2:?usage: make-models.sh TESSERA_BINARY OUT_DIR}
mkdir -p "$out/corpora"
start=$(date +%s)

"$tessera" lm corpus --source kjv --out "$out/corpora/kjv"
"$tessera" lm corpus --source logs --out "$out/corpora/logs"

train() {  # name corpus size steps lr [extra options...]
  local name=$1 corpus=$2 size=$3 steps=$4 lr=$5
  shift 5
  echo "== $name: $size on $corpus, $steps steps"
  "$tessera" lm train --corpus "$out/corpora/$corpus" --model "$size" --steps "$steps" --lr "$lr" \
    --out "$out/$name.lm" --log "$out/$name.csv" "$@"
}

# Learning rates fixed beforehand per size (2e-3 for small was the best of 2e-3, 5e-3 and
# 1e-2 on kjv's validation split at 400 steps); steps fill about six minutes in all.
train kjv-tiny kjv tiny 1500 3e-3 --vocab 1000
train kjv-small kjv small 1500 2e-3 --tokenizer-from "$out/kjv-tiny.lm"
train logs-tiny logs tiny 1000 3e-3 --vocab 1000
train logs-small logs small 600 2e-3 --tokenizer-from "$out/logs-tiny.lm"

for m in kjv-tiny kjv-small; do
  echo "== $m on the kjv test split"
  "$tessera" lm eval --model "$out/$m.lm" --corpus "$out/corpora/kjv" --split test
done
for m in logs-tiny logs-small; do
  echo "== $m on the logs test split"
  "$tessera" lm eval --model "$out/$m.lm" --corpus "$out/corpora/logs" --split test
done
echo "make models: done in $(( $(date +%s) - start )) s; models in $out"
