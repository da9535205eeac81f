#!/usr/bin/env bash
# find_package(Tessera) from the build tree and from an install tree, and pkg-config.
# Usage: package_test.sh <source-dir> <build-dir>
set -euo pipefail
src=$1
build=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
consumer=$src/tests/package/consumer

echo "== from the build tree"
cmake -S "$consumer" -B "$work/from-build" -DTessera_DIR="$build" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
cmake --build "$work/from-build" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
"$work/from-build/consumer"

echo "== from an install tree"
cmake --install "$build" --prefix "$work/prefix" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
cmake -S "$consumer" -B "$work/from-install" -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
cmake --build "$work/from-install" > "$work/log" 2>&1 || { cat "$work/log"; exit 1; }
libdir=$(dirname "$(find "$work/prefix" -name 'libtessera.so' | head -1)")
LD_LIBRARY_PATH=$libdir "$work/from-install/consumer"

echo "== pkg-config"
pcdir=$(dirname "$(find "$work/prefix" -name tessera.pc | head -1)")
flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --cflags --libs tessera)
c++ "$consumer/main.cpp" $flags -o "$work/pc-consumer"
LD_LIBRARY_PATH=$libdir "$work/pc-consumer"
echo "package test passed"
