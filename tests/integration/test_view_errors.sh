#!/usr/bin/env bash
# test_view_errors.sh — `crisim view` on truncated and corrupted timelines: the exact message
# (path:line:col), the valid rows shown with a warning, exit 2 and no PNG when nothing is usable.
# Usage: bash test_view_errors.sh CRISIM SOURCE_DIR. Skips (exit 0) when built without the viewer.
set -eu

CRISIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cx_test_view_errors.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
FAILS=0
SCEN=$SRC/tests/data/view-small
GOOD=$SCEN/run/timeline.csv
HEADER='t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text'

if "$CRISIM" view "$GOOD" --png "$WORK/probe.png" 2>&1 | grep -q 'built without the viewer'; then
    echo "SKIP: this crisim was built without the viewer"
    exit 0
fi

fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

# view NAME: renders $WORK/NAME.csv at T0 into $WORK/NAME.png; sets RC, stderr in $WORK/NAME.err.
view() {
    RC=0
    "$CRISIM" view "$WORK/$1.csv" --scenario "$SCEN" --png "$WORK/$1.png" --at 0 --size 320x240 \
        >"$WORK/$1.out" 2>"$WORK/$1.err" || RC=$?
}

# expect NAME STATUS MESSAGE: exit status, the exact stderr, and a PNG exactly when STATUS is 0.
expect() {
    if [ "$RC" -ne "$2" ]; then fail "$1: exit status $RC, expected $2"; fi
    if [ "$(cat "$WORK/$1.err")" != "$3" ]; then
        fail "$1: stderr differs; got:"
        sed 's/^/    /' "$WORK/$1.err" >&2
        echo "  expected:" >&2
        printf '    %s\n' "$3" >&2
    fi
    if [ "$2" -eq 0 ] && [ ! -s "$WORK/$1.png" ]; then fail "$1: no PNG written"; fi
    if [ "$2" -ne 0 ] && [ -e "$WORK/$1.png" ]; then fail "$1: a PNG was written"; fi
}

# A copy cut in the middle of row 6 (line 7, 4 fields kept): rows 1-5 shown, with a warning.
head -n 6 "$GOOD" >"$WORK/truncated.csv"
sed -n 7p "$GOOD" | cut -c1-40 | tr -d '\n' >>"$WORK/truncated.csv"
view truncated
expect truncated 0 "crisim view: warning: $WORK/truncated.csv:7: last line is incomplete (4 of 12 fields); ignored"

# Not a timeline: nothing to show.
{ echo "id,name,sector"; echo "DE-Ems,Ems,power"; } >"$WORK/badheader.csv"
view badheader
expect badheader 2 "$WORK/badheader.csv:1:1: column 't': missing from the header, and so are 'kind', 'entity', 'state', 'value' (expected a crisim timeline: t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text)"

# 1200 rows; row 1000 (line 1001) has a bad value at column 37: rows 1-999 shown, with a warning.
awk -v h="$HEADER" 'BEGIN {
    print h
    split("DE-Ems DE-West NL-North BE-Telecom", id, " ")
    split("DE DE NL BE", rg, " ")
    split("failed working", st, " ")
    for (i = 1; i <= 1200; i++) {
        a = (i % 4) + 1
        printf "%d,,asset,%s,%s,power,%s,%s,,0,0,\n", i * 60, id[a], rg[a], st[(i % 2) + 1],
               i == 1000 ? "0.5x" : (i % 2 ? "0.0000" : "1.0000")
    }
}' >"$WORK/badrow.csv"
view badrow
expect badrow 0 "crisim view: warning: $WORK/badrow.csv:1001:37: column 'value': '0.5x' is not a number (expected operability in [0,1]); reading stopped there: the 999 rows before it are shown"

# The same bad value in the first row: nothing usable.
{ echo "$HEADER"; echo "0,,asset,DE-Ems,DE,power,failed,zero,,0,0,"; } >"$WORK/badfirst.csv"
view badfirst
expect badfirst 2 "$WORK/badfirst.csv:2:33: column 'value': 'zero' is not a number (expected operability in [0,1])"

# Binary junk (a PNG signature and control bytes): the header is what is wrong.
printf '\211PNG\r\n\032\n\000\000\000\rIHDR\001\002\003\033[31m' >"$WORK/junk.csv"
view junk
expect junk 2 "$WORK/junk.csv:1:1: column 't': missing from the header, and so are 'kind', 'entity', 'state', 'value' (expected a crisim timeline: t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text)"

# Junk after valid rows: the rows before it are shown; the quoted cell is printable and short.
{ head -n 5 "$GOOD"; printf '\001\002\033[31m%s,,asset,A,DE,power,failed,0,,0,0,\n' "$(printf 'A%.0s' $(seq 60))"; } >"$WORK/junkrows.csv"
view junkrows
A33=$(printf 'A%.0s' $(seq 33)) # 40 bytes quoted: 3 control bytes as '?', '[31m', 33 'A'
expect junkrows 0 "crisim view: warning: $WORK/junkrows.csv:6:1: column 't': '???[31m$A33...' is not an integer (expected seconds from T0); reading stopped there: the 4 rows before it are shown"

# An empty file.
: >"$WORK/empty.csv"
view empty
expect empty 2 "$WORK/empty.csv:1:1: column 't': empty file (expected the header t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text)"

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS failure(s)" >&2
    exit 1
fi
echo "test_view_errors: all passed"
