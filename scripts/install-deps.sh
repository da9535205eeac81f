#!/usr/bin/env bash
# Installs the Debian packages Tessera needs, only those missing. Run as root (make run /
# make test call it). Set TESSERA_SKIP_DEPS=1 to skip on a machine managed otherwise.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang
  libhwloc-dev libboost-dev nlohmann-json3-dev libcli11-dev libfmt-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libstarpu-dev libtbb-dev
  libopenblas-dev liblapacke-dev libglpk-dev
  libopenmpi-dev openmpi-bin libscalapack-openmpi-dev
  libtorch-dev libsentencepiece-dev bible-kjv
  libpcre2-dev libcpp-httplib-dev libssl-dev libxapian-dev libxgboost-dev
)

if [[ "${TESSERA_SKIP_DEPS:-0}" == "1" ]]; then
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages and not root; run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
