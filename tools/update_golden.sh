#!/usr/bin/env bash
# update_golden.sh — rewrites the golden timelines in tests/data/golden/<scenario>/ (timeline.csv
# and metrics.csv) for every shipped scenario (scenarios/*/ with a scenario.csv), with
#     crisim run scenarios/<name> --seed 1 --replicate 0
# tests/integration/test_golden.sh compares fresh runs with these files byte for byte.
#
# Usage: bash tools/update_golden.sh [build/crisim]
#
# A change to the golden files is a change to what the shipped scenarios do: the commit that
# changes them must explain why (which model, scenario or output change moved which rows), so that
# a reviewer can tell an intended change from a regression. Run the test suite before and after,
# and look at `git diff --stat tests/data/golden` before committing.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
CRISIM=${1:-$ROOT/build/crisim}
if [ ! -x "$CRISIM" ]; then
    echo "update_golden.sh: $CRISIM is not an executable crisim (usage: bash tools/update_golden.sh [build/crisim])" >&2
    exit 2
fi
CRISIM=$(cd "$(dirname "$CRISIM")" && pwd)/$(basename "$CRISIM")
GOLDEN="$ROOT/tests/data/golden"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cx_update_golden.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

cd "$ROOT"
names=()
for sc in scenarios/*/scenario.csv; do
    [ -f "$sc" ] || continue
    name=$(basename "$(dirname "$sc")")
    names+=("$name")
    "$CRISIM" run "scenarios/$name" --seed 1 --replicate 0 --out "$WORK/run/$name" --quiet
    mkdir -p "$WORK/new/$name"
    cp "$WORK/run/$name/timeline.csv" "$WORK/run/$name/metrics.csv" "$WORK/new/$name/"
done
if [ "${#names[@]}" -eq 0 ]; then
    echo "update_golden.sh: no scenarios/*/scenario.csv under $ROOT" >&2
    exit 1
fi

# Replace the whole golden folder only once every run succeeded (goldens of removed scenarios go).
rm -rf "$GOLDEN"
mkdir -p "$(dirname "$GOLDEN")"
cp -r "$WORK/new" "$GOLDEN"

total=$(du -cb "$GOLDEN"/*/*.csv | tail -1 | cut -f1)
echo "update_golden.sh: wrote ${#names[@]} scenario(s) to tests/data/golden ($total bytes): ${names[*]}"
if [ "$total" -gt 3000000 ]; then
    echo "update_golden.sh: warning: the golden files exceed 3 MB; consider a shorter comparison" >&2
fi
