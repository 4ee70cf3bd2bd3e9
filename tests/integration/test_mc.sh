#!/usr/bin/env bash
# test_mc.sh CRISIM SOURCE_DIR — `crisim mc`, `mc-merge` and `compare` end to end: identical files
# (and plots) for any -j, shards merged equal a single run, resume after kill -9 equals an
# uninterrupted run.
set -u
. "$(dirname "$0")/lib.sh" # before any cd: $0 may be relative

bin=${1:?usage: test_mc.sh CRISIM SOURCE_DIR}
src=${2:?usage: test_mc.sh CRISIM SOURCE_DIR}
small="$src/tests/data/mc-small"
work=$(mktemp -d "${TMPDIR:-/tmp}/test_mc.XXXXXX")
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1

if ! "$bin" mc --help >/dev/null 2>&1; then
    echo "FAIL: '$bin mc --help' does not work: is 'mc' in the command table of tools/main.c?" >&2
    exit 1
fi

# A scenario whose replicates take about a millisecond, so a run can be killed half-way.
gen_slow() {
    local d=$1 n=$2 i
    mkdir -p "$d"
    printf 'key,value\nname,mc-slow\nstart,2024-06-06T00:00Z\nhorizon,10d\nseed,5\n' >"$d/scenario.csv"
    printf 'code,name,kind,lat,lon,population\nDE,Germany,member,51,10,83000000\nAT,Austria,member,47.5,14.5,9000000\n' >"$d/regions.csv"
    {
        echo "id,sector,region,population,repair"
        for ((i = 0; i < n; i++)); do echo "A$i,power,$([ $((i % 2)) = 0 ] && echo DE || echo AT),1000,exp(3h)"; done
    } >"$d/assets.csv"
    {
        echo "supplier,dependent,threshold,strength,delay,recovery"
        for ((i = 1; i < n; i++)); do echo "A$(((i - 1) / 2)),A$i,0.5,1,exp(20m),exp(30m)"; done
    } >"$d/links.csv"
    {
        echo "id,time,kind,target,magnitude"
        for ((i = 0; i < 20; i++)); do echo "I$i,T+$((i * 10))h,damage,A0,1"; done
    } >"$d/injects.csv"
}

# ---- determinism across thread counts -------------------------------------------------------
for j in 1 2 4; do
    expect_rc 0 "mc -j $j" -- "$bin" mc "$small" -n 300 -j "$j" --out "j$j" --quiet
done
for j in 2 4; do
    same j1/replicates.csv "j$j/replicates.csv" "replicates.csv identical for -j 1 and -j $j"
    same j1/summary.csv "j$j/summary.csv" "summary.csv identical for -j 1 and -j $j"
done
[ "$(wc -l <j1/replicates.csv)" = 301 ] && ok "300 rows + header" || fail "replicates.csv has $(wc -l <j1/replicates.csv) lines"
head -1 j1/replicates.csv | grep -q '^replicate,seed,' && ok "replicates.csv header" || fail "replicates.csv header"
head -1 j1/summary.csv | grep -qx 'metric,n,mean,sd,ci95_low,ci95_high,p5,p50,p95,min,max' &&
    ok "summary.csv header" || fail "summary.csv header: $(head -1 j1/summary.csv)"
grep -q '^shard,1/1$' j1/manifest.csv && grep -q '^n,300$' j1/manifest.csv && ok "manifest" || fail "manifest"
[ ! -e j1.partial ] && ok "no .partial left after success" || fail "j1.partial left behind"
samedir() { # samedir A B WHAT: every file of A's plots/ equals B's
    if diff -r "$1" "$2" >/dev/null; then ok "$3"; else fail "$3"; diff -r "$1" "$2" | head -5 >&2; fi
}
[ -f j1/plots/index.html ] && [ "$(ls j1/plots/*.svg | wc -l)" = "$(($(head -1 j1/replicates.csv | tr ',' '\n' | wc -l) - 2))" ] &&
    ok "plots/: one SVG per metric column + index.html" || fail "plots/: $(ls j1/plots | head)"
grep -q '^files,.*plots/' j1/manifest.csv && ok "manifest lists plots/" || fail "manifest files: $(grep ^files j1/manifest.csv)"
for j in 2 4; do samedir j1/plots "j$j/plots" "plots/ identical for -j 1 and -j $j"; done
expect_rc 0 "mc --no-plots" -- "$bin" mc "$small" -n 20 --out noplots --no-plots --quiet
[ ! -e noplots/plots ] && ok "--no-plots writes no plots/" || fail "--no-plots wrote plots/"
cut -d, -f3- j1/replicates.csv | sed -n '2p;3p' | sort -u | wc -l | grep -qx 2 &&
    ok "replicates differ from each other" || fail "rows 0 and 1 are identical"

# ---- shards + merge ---------------------------------------------------------------------------
for k in 1 2 3; do
    expect_rc 0 "shard $k/3" -- "$bin" mc "$small" -n 300 -j 2 --shard "$k/3" --out "s$k" --quiet
done
grep -q '^shard,2/3$' s2/manifest.csv && ok "shard manifest" || fail "shard manifest"
expect_rc 0 "mc-merge" -- "$bin" mc-merge merged s3 s1 s2 --quiet
same j1/replicates.csv merged/replicates.csv "merged replicates.csv equals the single run"
same j1/summary.csv merged/summary.csv "merged summary.csv equals the single run"
samedir j1/plots merged/plots "merged plots/ equal the single run's"
expect_rc 2 "mc-merge with a shard missing" -- "$bin" mc-merge m2 s1 s2
expect_rc 2 "mc-merge with a shard twice" -- "$bin" mc-merge m2 s1 s2 s2 s3
"$bin" mc "$small" -n 300 --seed 9 --shard 3/3 --out s3other --quiet
expect_rc 2 "mc-merge of different batches" -- "$bin" mc-merge m2 s1 s2 s3other
[ ! -e m2 ] && ok "failed merges write nothing" || fail "m2 exists after failed merges"

# ---- interruption and resume ----------------------------------------------------------------
gen_slow slow 400
expect_rc 0 "uninterrupted reference" -- "$bin" mc slow -n 2500 -j 2 --out ref --quiet
"$bin" mc slow -n 2500 -j 2 --out killed --quiet &
pid=$!
for _ in $(seq 1 200); do
    rows=$(cat killed.partial/replicates.csv 2>/dev/null | wc -l)
    [ "$rows" -ge 100 ] && break
    sleep 0.05
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
if [ -d killed ]; then
    fail "the run finished before kill -9 (machine too fast for this test?)"
else
    rows=$(wc -l <killed.partial/replicates.csv)
    ok "killed with $rows lines in killed.partial/replicates.csv"
    expect_rc 2 "rerun without --resume refuses to overwrite" -- "$bin" mc slow -n 2500 --out killed --quiet
    expect_rc 2 "resume with another seed refused" -- "$bin" mc slow -n 2500 --seed 3 --out killed --resume
    grep -q "different batch" "$work/err.txt" && ok "message names the mismatch" || fail "no mismatch message"
    expect_rc 2 "resume with another N refused" -- "$bin" mc slow -n 2501 --out killed --resume
    expect_rc 0 "resume after kill -9" -- "$bin" mc slow -n 2500 -j 1 --out killed --resume --quiet
    same ref/replicates.csv killed/replicates.csv "resumed replicates.csv equals the uninterrupted run"
    same ref/summary.csv killed/summary.csv "resumed summary.csv equals the uninterrupted run"
    samedir ref/plots killed/plots "resumed plots/ equal the uninterrupted run's"
    expect_rc 0 "resume of a finished batch is a no-op" -- "$bin" mc slow -n 2500 --out killed --resume
fi

"$bin" mc slow -n 2500 -j 2 --out intr 2>intr.err &
pid=$!
for _ in $(seq 1 200); do
    [ "$(cat intr.partial/replicates.csv 2>/dev/null | wc -l)" -ge 100 ] && break
    sleep 0.05
done
kill -INT "$pid"
wait "$pid"
rc=$?
if [ -d intr ]; then
    fail "the run finished before SIGINT"
else
    [ "$rc" = 130 ] && ok "SIGINT exits 130" || fail "SIGINT: exit $rc, expected 130"
    grep -q -- "--resume" intr.err && ok "SIGINT message tells how to resume" || fail "no resume hint: $(cat intr.err)"
    tail -c 1 intr.partial/replicates.csv | od -c | grep -q '\\n' && ok "flushed up to a whole row" ||
        fail "partial file does not end with a newline after SIGINT"
    expect_rc 0 "resume after SIGINT" -- "$bin" mc slow -n 2500 -j 2 --out intr --resume --quiet
    same ref/replicates.csv intr/replicates.csv "resumed after SIGINT equals the uninterrupted run"
fi

# ---- --keep: timelines of chosen replicates equal `crisim run` of the same replicate --------
metric=$(head -1 j1/replicates.csv | cut -d, -f3)
expect_rc 0 "mc --keep" -- "$bin" mc "$small" -n 50 --keep "median:$metric,worst:$metric,2" --out kept --quiet
[ -f kept/timelines/rep-2.csv ] && [ "$(ls kept/timelines/rep-*.csv | wc -l)" -ge 1 ] &&
    ok "timelines written" || fail "no kept timelines: $(ls -R kept)"
grep -q "^2,.*timelines/rep-2.csv$" kept/timelines/index.csv && ok "timelines/index.csv" || fail "index.csv: $(cat kept/timelines/index.csv)"
expect_rc 0 "run replicate 2" -- "$bin" run "$small" --replicate 2 --out run2 --quiet
same run2/timeline.csv kept/timelines/rep-2.csv "kept timeline equals crisim run --replicate 2"

# ---- compare ------------------------------------------------------------------------------------
"$bin" mc "$small" -n 300 --seed 1234 --out other --quiet
expect_rc 0 "compare" -- "$bin" compare j1 other --out cmp
head -1 cmp/compare.csv | grep -qx 'metric,n_a,mean_a,sd_a,n_b,mean_b,sd_b,diff,ci95_low,ci95_high,t,df,p_value,significant' &&
    ok "compare.csv header" || fail "compare.csv header: $(head -1 cmp/compare.csv)"
expect_rc 0 "compare with itself" -- "$bin" compare j1 j2 --out cmpself
awk -F, 'NR > 1 && $13 != "" && $13 != 1 { bad = 1 } END { exit bad }' cmpself/compare.csv &&
    ok "identical batches: every p-value is 1" || fail "p != 1 comparing identical batches"
expect_rc 2 "compare with a missing folder" -- "$bin" compare j1 nosuch
expect_rc 2 "compare with a folder that is not an mc output" -- "$bin" compare j1 "$small"

# ---- usage and input errors: exit 2, nothing written ----------------------------------------
expect_rc 2 "no -n" -- "$bin" mc "$small" --out bad
expect_rc 2 "-n 0" -- "$bin" mc "$small" -n 0 --out bad
expect_rc 2 "-n -5" -- "$bin" mc "$small" -n -5 --out bad
expect_rc 2 "-j 0" -- "$bin" mc "$small" -n 5 -j 0 --out bad
expect_rc 2 "-j 257" -- "$bin" mc "$small" -n 5 -j 257 --out bad
expect_rc 2 "--shard 0/2" -- "$bin" mc "$small" -n 5 --shard 0/2 --out bad
expect_rc 2 "--shard 3/2" -- "$bin" mc "$small" -n 5 --shard 3/2 --out bad
expect_rc 2 "--shard x" -- "$bin" mc "$small" -n 5 --shard x --out bad
expect_rc 2 "--keep nonsense" -- "$bin" mc "$small" -n 5 --keep mean:x --out bad
expect_rc 2 "--keep unknown metric" -- "$bin" mc "$small" -n 5 --keep median:no_such_metric --out bad
expect_rc 2 "--keep replicate out of range" -- "$bin" mc "$small" -n 5 --keep 5 --out bad
expect_rc 2 "unknown option" -- "$bin" mc "$small" -n 5 --frobnicate --out bad
mkdir badsc && cp "$small"/*.csv badsc/ && printf 'supplier,dependent\nNOPE,ALSO-NOPE\n' >badsc/links.csv
expect_rc 2 "bad scenario" -- "$bin" mc badsc -n 5 --out bad
grep -q "links.csv:2" "$work/err.txt" && ok "bad scenario: located message" || fail "no located message: $(cat "$work/err.txt")"
[ ! -e bad ] && [ ! -e bad.partial ] && ok "nothing written on bad input" || fail "output written on bad input"

finish test_mc
