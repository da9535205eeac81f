#!/usr/bin/env bash
# Log question answering (LogQA) on the validation splits, every reader and baseline, and
# the retriever on a 1M-line replayed log (issue 21).
#
#   bench/logs/logqa.sh [BUILD_DIR] [OUT_DIR]
#
# Writes OUT_DIR/table.md (exact match, F1, recall@1/5/10 per system and reader), the
# eval-qa outputs and predictions, and OUT_DIR/large.txt (index build time and latency on
# 1,000,000 lines). The slot reader is the shipped data/models/logqa-slots.json, trained
# with the train-qa command in table.md (on train splits only).
set -euo pipefail
build=${1:-build}
out=${2:-bench/results/logqa-$(date +%F)}
tessera="$build/bin/tessera"
mkdir -p "$out"
{
  echo "# LogQA on the validation splits"
  echo
  echo "Command: \`bench/logs/logqa.sh $build $out\`; machine: $(nproc) cores, $(uname -m), $(. /etc/os-release; echo "$PRETTY_NAME"); date: $(date -u +%F)."
  echo
  echo "Slot reader trained with:"
  echo '```'
  echo "$tessera logs train-qa --logs data/loghub/HDFS/HDFS_2k.log --qa data/logqa/HDFS/qa.train.jsonl \\"
  echo "  --logs data/loghub/OpenSSH/OpenSSH_2k.log --qa data/logqa/OpenSSH/qa.train.jsonl \\"
  echo "  --logs data/loghub/Spark/Spark_2k.log --qa data/logqa/Spark/qa.train.jsonl --out data/models/logqa-slots.json"
  echo '```'
  echo
  echo "| system | reader | questions | exact match | F1 | recall@1 | recall@5 | recall@10 | ms/question |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$out/table.md"
for system in HDFS OpenSSH Spark; do
  for reader in slots first-variable; do
    "$tessera" logs eval-qa --logs "data/loghub/$system/${system}_2k.log" --qa "data/logqa/$system/qa.val.jsonl" \
      --reader "$reader" --predictions "$out/$system-$reader.jsonl" > "$out/$system-$reader.txt" 2>&1
    python3 - "$out/$system-$reader.txt" "$system" "$reader" >> "$out/table.md" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
n = re.search(r"^(\d+) questions", text, re.M).group(1)
m = re.search(r"exact match ([\d.]+)%  F1 ([\d.]+)%  retriever recall@1 ([\d.]+)%  @5 ([\d.]+)%  @10 ([\d.]+)%  ([\d.]+) ms", text)
print(f"| {sys.argv[2]} | {sys.argv[3]} | {n} | " + " | ".join(f"{float(x):.1f}%" for x in m.groups()[:5]) + f" | {m.group(6)} |")
PY
  done
done
echo "wrote $out/table.md"

# The retriever at scale: HDFS's sample replayed to 1M lines (fresh digits), indexed on disk.
large=/tmp/tessera-logqa-hdfs-1M.log
"$tessera" logs replay --from data/loghub/HDFS/HDFS_2k.log --lines 1000000 --out "$large" > /dev/null
start=$(date +%s.%N)
"$tessera" logs index --logs "$large" --system HDFS --index /tmp/tessera-logqa-hdfs-1M.idx > "$out/large.txt" 2>&1
end=$(date +%s.%N)
echo "index build wall time, whole command: $(python3 -c "print(f'{$end - $start:.1f}')") s" >> "$out/large.txt"
du -sh /tmp/tessera-logqa-hdfs-1M.idx | sed 's/^/index size: /' >> "$out/large.txt"
# Questions of the validation split over the 1M-line index (their blocks are not in the
# replayed log: this measures latency, not accuracy).
"$tessera" logs eval-qa --index /tmp/tessera-logqa-hdfs-1M.idx --qa data/logqa/HDFS/qa.val.jsonl >> "$out/large.txt" 2>&1
cat "$out/large.txt"
rm -rf "$large" /tmp/tessera-logqa-hdfs-1M.idx
