# test_validate.sh — `crisim validate`: exit status and exact output on good, bad and misused input.
# Usage: bash test_validate.sh <path-to-crisim> <source-dir>. Paths in messages are as given, so the
# script runs from tests/data and passes relative folders.
set -u
crisim=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
[ -x "$crisim" ] || { echo "FAIL: no executable $1"; exit 1; }
cd "$2/tests/data" || exit 1
fails=0
out=$(mktemp) err=$(mktemp)
trap 'rm -f "$out" "$err"' EXIT

fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect STATUS ARGS... : runs crisim with ARGS, checks the exit status
expect() {
    local want=$1; shift
    "$crisim" "$@" >"$out" 2>"$err"
    local got=$?
    [ "$got" -eq "$want" ] || { fail "crisim $* exited $got, expected $want"; cat "$err"; }
}
# has FILE LINE : FILE contains LINE as a whole line
has() { grep -qxF -- "$2" "$1" || { fail "missing line: $2"; echo "--- got:"; cat "$1"; }; }

# good scenarios
expect 0 validate good/minimal
has "$out" "good/minimal: ok — 3 regions, 5 assets, 4 links, 6 injects (1 contingency), 5 sector couplings (horizon 2d, start 2006-11-04T21:00:00Z)"
[ -s "$err" ] && fail "stderr not empty on a valid scenario"
expect 0 validate good/semicolon/
has "$out" "good/semicolon/: ok — 2 regions, 2 assets, 1 link, 2 injects (horizon 2d, start 2006-11-04T22:10:00Z)"
# the response tables are counted when the scenario has them; --decisions checks another file
expect 0 validate msel/base
has "$out" "msel/base: ok — 3 regions, 3 assets, 0 links, 3 injects (2 contingency), 1 capacity, 4 decisions (horizon 3d, start 2024-01-01T00:00:00Z)"
expect 2 validate --decisions msel/bad-decisions.csv msel/base
has "$err" "msel/bad-decisions.csv:2:2: column 'kind': unknown decision kind 'ipcr_escalte' (did you mean 'ipcr_escalate'?)"
has "$err" "msel/base: not valid (2 errors)"
[ -s "$out" ] && fail "stdout not empty on invalid decisions"
expect 2 validate --decisions
has "$err" "crisim validate: option '--decisions' needs a value"
expect 0 validate --quiet good/minimal
[ -s "$out" ] && fail "--quiet printed: $(cat "$out")"
expect 0 validate good/minimal -q

# bad scenarios: exit 2, every error on stderr, nothing on stdout
expect 2 validate bad/unknown_reference
has "$err" "bad/unknown_reference/assets.csv:3:4: column 'region': unknown region 'DX' (did you mean 'DE'?)"
[ -s "$out" ] && fail "stdout not empty on an invalid scenario"
expect 2 validate bad/several_files
has "$err" "bad/several_files/scenario.csv:6:2: column 'value': seed '-42' is not a whole number (expected a whole number from 0 to 18446744073709551615)"
has "$err" "bad/several_files/regions.csv:3:4: column 'lat': 'fifty' is not a number (expected a latitude in degrees, from -90 to 90)"
has "$err" "bad/several_files/links.csv:5:2: column 'dependent': link from 'CH-P1' to itself (expected two different assets)"
has "$err" "bad/several_files: not valid (3 errors)"
expect 2 validate bad/three_bad_rows
[ "$(grep -c '^bad/three_bad_rows/links.csv:' "$err")" -eq 3 ] || fail "three_bad_rows: expected 3 messages"
expect 2 validate bad/missing_file
has "$err" "bad/missing_file/assets.csv: missing file"
expect 2 validate bad/unterminated_quote
has "$err" "bad/unterminated_quote/injects.csv:8:12: unterminated quoted cell (expected a closing '\"'; the cell runs to the end of the file)"
expect 2 validate bad/unknown_key
has "$err" "bad/unknown_key/scenario.csv:5:1: column 'key': unknown key 'horizn' (did you mean 'horizon'?)"
expect 2 validate bad/many_errors
[ "$(grep -c '^bad/many_errors/links.csv:' "$err")" -eq 50 ] || fail "many_errors: expected 50 messages"
has "$err" "... and 10 more errors not shown"
has "$err" "bad/many_errors: not valid (60 errors)"
expect 2 validate no/such/folder
has "$err" "no/such/folder: no such folder (expected a scenario folder holding scenario.csv, regions.csv and assets.csv)"

# every bad folder fails with status 2 and at least one located message
for d in bad/*/; do
    expect 2 validate "$d"
    grep -q "^${d}[a-z]*\.csv" "$err" || fail "$d: no located message"
done

# size limits: CRISIM_MAX_ROWS / CRISIM_MAX_FILE_MB lower or raise them; a limit error says how
CRISIM_MAX_ROWS=3 expect 2 validate good/minimal
has "$err" "good/minimal/assets.csv:5:1: more than 3 rows (the limit per table)"
has "$err" "hint: for larger scenarios set CRISIM_MAX_FILE_MB (MiB per file, default 64) or CRISIM_MAX_ROWS (rows per table, default 5000000)"
CRISIM_MAX_ROWS=100 CRISIM_MAX_FILE_MB=1 expect 0 validate good/minimal
CRISIM_MAX_FILE_MB=0 expect 2 validate good/minimal
has "$err" "crisim: CRISIM_MAX_FILE_MB='0': expected a whole number from 1 to 1048576"
CRISIM_MAX_ROWS=lots expect 2 run good/minimal
has "$err" "crisim: CRISIM_MAX_ROWS='lots': expected a whole number from 1 to 1000000000"
[ -s "$out" ] && fail "stdout not empty on a bad limit"

# usage errors
expect 2 validate
has "$err" "crisim validate: missing scenario folder DIR"
expect 2 validate --bogus good/minimal
has "$err" "crisim validate: unknown option '--bogus'"
expect 2 validate good/minimal good/semicolon
expect 0 validate --help
grep -q "^usage: crisim validate" "$out" || fail "--help prints no usage"

if [ "$fails" -ne 0 ]; then
    echo "$fails failure(s)"
    exit 1
fi
echo "test_validate: all passed"
