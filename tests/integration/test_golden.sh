#!/usr/bin/env bash
# test_golden.sh — golden timelines: every shipped scenario (scenarios/*/ with a scenario.csv), run
# with --seed 1 --replicate 0, must reproduce tests/data/golden/<scenario>/timeline.csv and
# metrics.csv byte for byte. A difference means the simulation's behaviour changed: either a
# regression, or an intended change whose goldens must be regenerated with tools/update_golden.sh
# (and the change explained in the commit). Usage: bash test_golden.sh CRISIM SOURCE_DIR
set -eu

CRISIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
GOLDEN="$SRC/tests/data/golden"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cx_test_golden.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0
REGEN="bash tools/update_golden.sh $CRISIM   # from $SRC; explain the change in the commit"

fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

count=0
for sc in "$SRC"/scenarios/*/scenario.csv; do
    [ -f "$sc" ] || continue
    name=$(basename "$(dirname "$sc")")
    count=$((count + 1))
    if [ ! -d "$GOLDEN/$name" ]; then
        fail "$name: no golden files in tests/data/golden/$name"
        continue
    fi
    out="$WORK/$name"
    RC=0
    # Run from the source folder with the relative path, as tools/update_golden.sh does.
    (cd "$SRC" && "$CRISIM" run "scenarios/$name" --seed 1 --replicate 0 --out "$out" --quiet) \
        >"$WORK/$name.out" 2>"$WORK/$name.err" || RC=$?
    if [ "$RC" -ne 0 ]; then
        fail "$name: crisim run exited with $RC:"
        sed 's/^/    /' "$WORK/$name.err" >&2
        continue
    fi
    for f in timeline.csv metrics.csv; do
        if [ ! -f "$GOLDEN/$name/$f" ]; then
            fail "$name: golden $f missing"
        elif ! cmp -s "$GOLDEN/$name/$f" "$out/$f"; then
            fail "$name: $f differs from tests/data/golden/$name/$f (first differing lines, < golden > new):"
            diff "$GOLDEN/$name/$f" "$out/$f" | head -20 >&2 || true
        fi
    done
done
[ "$count" -gt 0 ] || fail "no scenarios/*/scenario.csv under $SRC"

# A golden folder whose scenario is gone is stale.
for g in "$GOLDEN"/*/; do
    [ -d "$g" ] || continue
    name=$(basename "$g")
    [ -f "$SRC/scenarios/$name/scenario.csv" ] || fail "tests/data/golden/$name has no scenario scenarios/$name"
done

if [ "$FAILS" -gt 0 ]; then
    echo "test_golden.sh: $FAILS check(s) failed" >&2
    echo "If the change is intended, regenerate the goldens with:" >&2
    echo "    $REGEN" >&2
    exit 1
fi
echo "test_golden.sh: $count scenario(s) match their golden timelines"
