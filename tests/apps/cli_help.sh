#!/usr/bin/env bash
# Walks every command and subcommand of the tessera program (from the "Subcommands:" lists
# of --help) and checks that each --help has an "Example: tessera ..." line and names a page
# under docs/ that exists. Usage: cli_help.sh path/to/tessera
set -uo pipefail
tessera=$1
docs=$(cd "$(dirname "$0")/../../docs" && pwd)
failures=0
checked=0

subcommands_of() {  # the names listed under "Subcommands:" in a --help text
  awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1}' <<<"$1"
}

check() {  # check "cmd words..."
  local help
  help=$("$tessera" "$@" --help 2>&1)
  checked=$((checked + 1))
  local label="tessera $* --help"
  if ! grep -q "^Example: " <<<"$help"; then
    echo "FAIL: $label has no 'Example:' line"; failures=$((failures + 1))
  fi
  local page
  page=$(grep -o 'docs/[a-z_-]*\.md' <<<"$help" | head -1)
  if [[ -z "$page" ]]; then
    echo "FAIL: $label names no docs/ page"; failures=$((failures + 1))
  elif [[ ! -f "$docs/${page#docs/}" ]]; then
    echo "FAIL: $label names $page, which does not exist"; failures=$((failures + 1))
  fi
  local sub
  for sub in $(subcommands_of "$help"); do check "$@" "$sub"; done
}

check
echo "$checked help texts checked, $failures failures"
(( failures == 0 ))
