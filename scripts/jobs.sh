#!/usr/bin/env bash
# Prints how many build and test jobs this machine can run at once: its cores as the process
# sees them, capped by a cgroup CPU quota (containers often report the host's cores through
# nproc) and by memory (about 1.5 GiB per compiler job), and at least 1.
set -euo pipefail

jobs=$(nproc)
if [[ -r /sys/fs/cgroup/cpu.max ]]; then
  read -r quota period < /sys/fs/cgroup/cpu.max || true
  if [[ "${quota:-max}" != "max" && "${period:-0}" -gt 0 ]]; then
    by_quota=$(( (quota + period - 1) / period ))
    (( by_quota < jobs )) && jobs=$by_quota
  fi
fi
if [[ -r /proc/meminfo ]]; then
  available_kib=$(awk '/^MemAvailable:/ {print $2}' /proc/meminfo)
  if [[ "$available_kib" =~ ^[0-9]+$ ]]; then
    by_memory=$(( available_kib / (1536 * 1024) ))
    (( by_memory < jobs )) && jobs=$by_memory
  fi
fi
(( jobs < 1 )) && jobs=1
echo "$jobs"
