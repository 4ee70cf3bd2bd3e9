#!/usr/bin/env bash
# test_sweep.sh CRISIM SOURCE_DIR — `--set` and `crisim mc --sweep`: an override changes the metrics,
# each sweep point equals a plain `mc --set` batch of that point, bad sweep files write nothing.
set -u
. "$(dirname "$0")/lib.sh" # before any cd: $0 may be relative

bin=${1:?usage: test_sweep.sh CRISIM SOURCE_DIR}
src=${2:?usage: test_sweep.sh CRISIM SOURCE_DIR}
small="$src/tests/data/mc-small"
data="$src/tests/data/sweep"
work=$(mktemp -d "${TMPDIR:-/tmp}/test_sweep.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1

expect_rc 0 "plain batch" -- "$bin" mc "$small" -n 8 -j2 --quiet --no-plots --out plain
expect_rc 0 "batch with --set" -- "$bin" mc "$small" -n 8 -j2 --quiet --no-plots --set seed=7 --out set7
if cmp -s plain/summary.csv set7/summary.csv; then fail "--set seed=7 left summary.csv unchanged"; else
    ok "--set changes the metrics"; fi
h1=$(grep '^scenario_hash,' plain/manifest.csv) h2=$(grep '^scenario_hash,' set7/manifest.csv)
[ "$h1" != "$h2" ] && ok "--set changes the scenario hash" || fail "same hash with --set ($h1)"
grep -qx 'set,seed=7' set7/manifest.csv && ok "manifest records the set row" || fail "no set row"
grep -qx 'seed,7' set7/manifest.csv && ok "manifest seed follows --set" || fail "manifest seed"

expect_rc 0 "shard 1/2 with --set" -- "$bin" mc "$small" -n 8 --quiet --no-plots --set seed=7 --shard 1/2 --out s1
expect_rc 0 "shard 2/2 with --set" -- "$bin" mc "$small" -n 8 --quiet --no-plots --set seed=7 --shard 2/2 --out s2
expect_rc 0 "merge of --set shards" -- "$bin" mc-merge merged s1 s2 --quiet
grep -qx 'set,seed=7' merged/manifest.csv && ok "merged manifest keeps the set row" || fail "merged set row"
same set7/replicates.csv merged/replicates.csv "merged --set shards = single --set batch"
expect_rc 2 "--set with a bad value" -- "$bin" mc "$small" -n 2 --quiet --set seed=x --out badset
grep -qF -- "--set seed=x: column 'value': seed 'x' is not a whole number" err.txt &&
    ok "bad --set message" || { fail "bad --set message"; cat err.txt >&2; }
[ ! -e badset ] && ok "bad --set writes nothing" || fail "bad --set wrote badset"
expect_rc 2 "crisim run --set unknown key" -- "$bin" run "$small" --quiet --set hoizon=1d --out r
grep -qF "did you mean 'horizon'?" err.txt && ok "run --set did-you-mean" || fail "run --set message"
expect_rc 0 "crisim run --set" -- "$bin" run "$small" --quiet --set horizon=1d --out r

expect_rc 0 "2-point sweep" -- "$bin" mc "$small" -n 8 -j2 --quiet --no-plots --sweep "$data/points.csv" --out sw
nmetrics=$(($(wc -l <plain/summary.csv) - 1))
[ "$(head -1 sw/sweep.csv)" = "seed,horizon,metric,n,mean,ci95_low,ci95_high,p50" ] &&
    ok "sweep.csv header" || fail "sweep.csv header: $(head -1 sw/sweep.csv)"
[ "$(grep -c '^7,2d,' sw/sweep.csv)" = "$nmetrics" ] && [ "$(grep -c '^8,3d,' sw/sweep.csv)" = "$nmetrics" ] &&
    [ "$(wc -l <sw/sweep.csv)" = $((2 * nmetrics + 1)) ] && ok "sweep.csv: $nmetrics metrics per point" ||
    fail "sweep.csv rows ($(wc -l <sw/sweep.csv) lines, $nmetrics metrics)"
expect_rc 0 "point 1 alone" -- "$bin" mc "$small" -n 8 -j1 --quiet --no-plots --set seed=7 --set horizon=2d --out p1
expect_rc 0 "point 2 alone" -- "$bin" mc "$small" -n 8 -j1 --quiet --no-plots --set seed=8 --set horizon=3d --out p2
same p1/replicates.csv sw/sweep-1/replicates.csv "sweep point 1 = mc --set"
same p2/replicates.csv sw/sweep-2/replicates.csv "sweep point 2 = mc --set"
m=$(sed -n 2p p2/summary.csv | cut -d, -f1-3)
grep -qF "8,3d,$m," sw/sweep.csv && ok "sweep.csv mean = the point's summary" || fail "sweep.csv mean ($m)"

expect_rc 2 "sweep: bad value" -- "$bin" mc "$small" -n 2 --quiet --sweep "$data/bad-value.csv" --out bad1
grep -qF "bad-value.csv:3:1: point 2: --set seed=abc: column 'value'" err.txt &&
    ok "bad value located" || { fail "bad value message"; cat err.txt >&2; }
expect_rc 2 "sweep: unknown key" -- "$bin" mc "$small" -n 2 --quiet --sweep "$data/bad-key.csv" --out bad2
grep -qF "did you mean 'horizon'?" err.txt && ok "unknown key suggestion" || fail "unknown key message"
expect_rc 2 "sweep: missing file" -- "$bin" mc "$small" -n 2 --quiet --sweep "$work/none.csv" --out bad3
: >empty.csv
expect_rc 2 "sweep: empty file" -- "$bin" mc "$small" -n 2 --quiet --sweep empty.csv --out bad4
printf 'seed\n' >hdr.csv
expect_rc 2 "sweep: no points" -- "$bin" mc "$small" -n 2 --quiet --sweep hdr.csv --out bad5
for d in bad1 bad2 bad3 bad4 bad5; do [ ! -e "$d" ] || fail "bad sweep wrote $d"; done
expect_rc 2 "sweep with --resume" -- "$bin" mc "$small" -n 2 --quiet --resume --sweep "$data/points.csv" --out bad6

finish test_sweep
