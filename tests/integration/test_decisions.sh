#!/usr/bin/env bash
# test_decisions.sh — `crisim run --decisions`: decision rows in the timeline, a triggered inject,
# byte-identical reruns, manifest with the decisions path and hash, and a bad file -> exit 2 with
# located errors and nothing written. Usage: bash test_decisions.sh CRISIM SOURCE_DIR
set -eu
CRISIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cx_test_decisions.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0
fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
BASE="$SRC/tests/data/msel/base"

"$CRISIM" run "$BASE" --out "$WORK/a" -q || fail "run with DIR/decisions.csv"
"$CRISIM" run "$BASE" --out "$WORK/b" -q --decisions "$BASE/decisions.csv" || fail "run --decisions"
cmp -s "$WORK/a/timeline.csv" "$WORK/b/timeline.csv" || fail "same decisions, different timelines"
"$CRISIM" run "$BASE" --out "$WORK/c" -q --decisions "$BASE/decisions.csv" || fail "rerun"
cmp -s "$WORK/b/timeline.csv" "$WORK/c/timeline.csv" || fail "rerun not byte-identical"
grep -q '^3600,2024-01-01T01:00:00Z,decision,D2,,,ipcr_set,0.0000,Presidency,0,0,inactive -> monitoring$' \
    "$WORK/b/timeline.csv" || fail "decision row D2 missing"
grep -q '^7200,2024-01-01T02:00:00Z,request,D3,PL,,requested,' "$WORK/b/timeline.csv" ||
    fail "the ucpm_request decision made no request"
grep -q '^7200,2024-01-01T02:00:00Z,inject,c-req,,,message,1.0000,trigger,' "$WORK/b/timeline.csv" ||
    fail "triggered inject c-req did not fire at T+2h"
grep -q '^43200,2024-01-01T12:00:00Z,inject,c-dl,,,message,1.0000,trigger,' "$WORK/b/timeline.csv" ||
    fail "deadline inject c-dl did not fire at T+12h"
grep -q "^decisions,$BASE/decisions.csv\$" "$WORK/b/manifest.csv" || fail "manifest: decisions path"
grep -Eq '^decisions_hash,[0-9a-f]{16}$' "$WORK/b/manifest.csv" || fail "manifest: decisions hash"

# a bad decisions file: exit 2, located messages, nothing written
RC=0
"$CRISIM" run "$BASE" --out "$WORK/bad" -q --decisions "$SRC/tests/data/msel/bad-decisions.csv" \
    2>"$WORK/bad.err" || RC=$?
[ "$RC" -eq 2 ] || fail "bad decisions: exit $RC, expected 2"
[ ! -e "$WORK/bad" ] || fail "bad decisions: output folder written"
grep -q "bad-decisions.csv:2:2: column 'kind': unknown decision kind 'ipcr_escalte' (did you mean 'ipcr_escalate'?)" \
    "$WORK/bad.err" || fail "bad decisions: message for line 2"
grep -q "bad-decisions.csv:3:2: column 'kind': a art222 decision needs a region" "$WORK/bad.err" ||
    fail "bad decisions: message for line 3"
RC=0
"$CRISIM" run "$BASE" --out "$WORK/none" -q --decisions "$WORK/missing.csv" 2>/dev/null || RC=$?
[ "$RC" -eq 2 ] || fail "missing decisions file: exit $RC, expected 2"

[ "$FAILS" -eq 0 ] || exit 1
echo "test_decisions: all checks passed"
