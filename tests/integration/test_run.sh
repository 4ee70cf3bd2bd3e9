#!/usr/bin/env bash
# test_run.sh — `crisim run`: byte-identical reruns, seeds that matter, atomic output folders, exit
# statuses, --horizon, timeline ordering and the manifest. Usage: bash test_run.sh CRISIM SOURCE_DIR
set -eu

CRISIM=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/cx_test_run.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
FAILS=0

fail() {
    echo "FAIL: $*" >&2
    FAILS=$((FAILS + 1))
}

# run_rc NAME ARGS...: runs crisim with ARGS, stdout/stderr into $WORK/NAME.{out,err}; sets RC.
run_rc() {
    local name=$1
    shift
    RC=0
    "$CRISIM" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || RC=$?
}

expect_rc() { # expect_rc WANT NAME WHAT
    if [ "$RC" -ne "$1" ]; then
        fail "$3: exit status $RC, expected $1; stderr:"
        sed 's/^/    /' "$WORK/$2.err" >&2
    fi
}

# Checks a timeline: exact header, 12 fields per row, t non-decreasing, first row "run start" at
# t=0 and last row "run end" at the horizon; prints the largest t.
check_timeline() { # check_timeline FILE HORIZON WHAT
    if command -v python3 >/dev/null 2>&1; then
        python3 - "$1" "$2" <<'EOF' || fail "$3: timeline checks ($1)"
import csv, sys
path, horizon = sys.argv[1], int(sys.argv[2])
with open(path, newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))
want = "t,time,kind,entity,region,sector,state,value,cause,cross_border,depth,text".split(",")
assert rows[0] == want, f"header {rows[0]}"
body = rows[1:]
assert body, "no rows"
prev = None
for i, r in enumerate(body, start=2):
    assert len(r) == 12, f"row {i}: {len(r)} fields"
    t = int(r[0])
    assert prev is None or t >= prev, f"row {i}: t {t} < previous {prev}"
    prev = t
    assert r[1].endswith("Z") and "T" in r[1], f"row {i}: time {r[1]}"
    assert r[9] in ("0", "1"), f"row {i}: cross_border {r[9]}"
    float(r[7]); int(r[10])
assert body[0][2] == "run" and body[0][6] == "start" and body[0][0] == "0", f"first row {body[0]}"
assert body[-1][2] == "run" and body[-1][6] == "end", f"last row {body[-1]}"
assert int(body[-1][0]) == horizon, f"run end at t={body[-1][0]}, horizon {horizon}"
assert max(int(r[0]) for r in body) <= horizon, "a row after the horizon"
EOF
    else
        awk -F, -v h="$2" 'NR > 1 && $1 ~ /^-?[0-9]+$/ { if (seen && $1 + 0 < prev) bad = 1; prev = $1 + 0; seen = 1 }
            END { if (bad || prev != h) exit 1 }' "$1" || fail "$3: timeline order/horizon ($1)"
    fi
}

manifest_value() { # manifest_value FILE KEY
    awk -F, -v k="$2" '$1 == k { sub(/^[^,]*,/, ""); print; exit }' "$1"
}

no_leftovers() { # no_leftovers DIR WHAT: no .tmp-/.old- folders left beside outputs
    local left
    left=$(find "$1" -name '*.tmp-*' -o -name '*.old-*' | head -5)
    [ -z "$left" ] || fail "$2: leftover temporary folders: $left"
}

# ---- the checks every scenario must pass --------------------------------------------------------
check_scenario() { # check_scenario DIR LABEL
    local dir=$1 label=$2 out="$WORK/$2"
    mkdir -p "$out"
    run_rc "$label-a" run "$dir" --seed 11 --out "$out/a"
    expect_rc 0 "$label-a" "$label: run"
    if [ "$RC" -ne 0 ]; then return; fi
    run_rc "$label-b" run "$dir" --seed 11 --out "$out/b" --quiet
    expect_rc 0 "$label-b" "$label: rerun"
    for f in timeline.csv metrics.csv manifest.csv; do
        [ -s "$out/a/$f" ] || fail "$label: $f missing or empty"
    done
    cmp -s "$out/a/timeline.csv" "$out/b/timeline.csv" || fail "$label: same seed, different timeline.csv"
    cmp -s "$out/a/metrics.csv" "$out/b/metrics.csv" || fail "$label: same seed, different metrics.csv"
    [ ! -s "$WORK/$label-b.out" ] || fail "$label: --quiet printed: $(head -2 "$WORK/$label-b.out")"
    grep -q "outputs: $out/a/{timeline.csv, metrics.csv, manifest.csv}" "$WORK/$label-a.out" ||
        fail "$label: summary lacks the outputs line: $(cat "$WORK/$label-a.out")"

    # The manifest records what reproduces the run.
    local m="$out/a/manifest.csv" hash horizon
    head -1 "$m" | grep -qx 'key,value' || fail "$label: manifest header"
    hash=$(manifest_value "$m" scenario_hash)
    [[ $hash =~ ^[0-9a-f]{16}$ ]] || fail "$label: manifest scenario_hash '$hash'"
    [ "$(manifest_value "$m" seed)" = 11 ] || fail "$label: manifest seed '$(manifest_value "$m" seed)'"
    [ "$(manifest_value "$m" replicate)" = 0 ] || fail "$label: manifest replicate"
    [ "$(manifest_value "$m" timeline)" = timeline.csv ] || fail "$label: manifest timeline"
    [ "$(manifest_value "$m" metrics)" = metrics.csv ] || fail "$label: manifest metrics"
    manifest_value "$m" command | grep -q -- "--seed 11" || fail "$label: manifest command line"
    [ -n "$(manifest_value "$m" crisim_version)" ] || fail "$label: manifest crisim_version"
    horizon=$(manifest_value "$m" horizon_s)
    [[ $horizon =~ ^[0-9]+$ ]] || fail "$label: manifest horizon_s '$horizon'"
    head -1 "$out/a/metrics.csv" | grep -qx 'metric,sector,region,unit,value' || fail "$label: metrics header"
    check_timeline "$out/a/timeline.csv" "$horizon" "$label"

    # Another seed must change the run when the scenario draws anything at random.
    if cat "$dir"/*.csv | grep -qiE '(exp|lognormal|uniform|triangular|normal)\('; then
        run_rc "$label-c" run "$dir" --seed 12 --out "$out/c" --quiet
        expect_rc 0 "$label-c" "$label: other seed"
        if cmp -s "$out/a/timeline.csv" "$out/c/timeline.csv"; then
            fail "$label: seeds 11 and 12 gave identical timelines"
        fi
        run_rc "$label-d" run "$dir" --seed 11 --replicate 1 --out "$out/d" --quiet
        expect_rc 0 "$label-d" "$label: other replicate"
        if cmp -s "$out/a/timeline.csv" "$out/d/timeline.csv"; then
            fail "$label: replicates 0 and 1 gave identical timelines"
        fi
    else
        echo "note: $label has no random distributions; seed sensitivity not checked"
    fi

    # --horizon cuts the run: nothing after it, and the run ends exactly there.
    local cut=$((horizon / 4))
    run_rc "$label-h" run "$dir" --seed 11 --horizon "${cut}s" --out "$out/h" --quiet
    expect_rc 0 "$label-h" "$label: --horizon"
    if [ "$RC" -eq 0 ]; then
        [ "$(manifest_value "$out/h/manifest.csv" horizon_s)" = "$cut" ] || fail "$label: --horizon not in manifest"
        check_timeline "$out/h/timeline.csv" "$cut" "$label --horizon ${cut}s"
    fi
    no_leftovers "$out" "$label"
}

# ---- the small fixture: three regions, cross-border links, exp() delays --------------------------
SMALL="$SRC/tests/data/run-small"
check_scenario "$SMALL" small

# Its timeline really cascades across the border and has rows after a quarter of the horizon,
# so the --horizon check above did cut something.
if [ -f "$WORK/small/a/timeline.csv" ]; then
    awk -F, 'NR > 1 && $3 == "asset" && $10 == "1" { found = 1 } END { exit !found }' \
        "$WORK/small/a/timeline.csv" || fail "small: no cross-border asset change in the timeline"
    awk -F, 'NR > 1 && $3 == "asset" && $4 == "DE-PWR-1" && $9 == "I1" { found = 1 } END { exit !found }' \
        "$WORK/small/a/timeline.csv" || fail "small: damage inject I1 on DE-PWR-1 not in the timeline"
    grep -q '"Storm warning, ""red"" level for Bavaria"' "$WORK/small/a/timeline.csv" ||
        fail "small: inject message not quoted per RFC 4180"
    [ "$(wc -l <"$WORK/small/h/timeline.csv")" -lt "$(wc -l <"$WORK/small/a/timeline.csv")" ] ||
        fail "small: --horizon did not shorten the timeline"
fi

# ---- the shipped default scenario ------------------------------------------------------------------
BLACKOUT="$SRC/scenarios/blackout-2006"
if [ -d "$BLACKOUT" ]; then
    check_scenario "$BLACKOUT" blackout
else
    echo "SKIP: $BLACKOUT is missing; the default scenario was not tested"
fi

# ---- bad input: exit 2, every error printed, nothing written ----------------------------------------
BAD="$WORK/bad-scenario"
cp -r "$SMALL" "$BAD"
sed -i 's/^CZ-HLT-1,South Bohemia hospitals,health,CZ,/CZ-HLT-1,South Bohemia hospitals,health,XX,/' "$BAD/assets.csv"
sed -i 's/^DE-TEL-1,CZ-HLT-1,0.5,0.5,/DE-TEL-1,CZ-HLT-1,7,0.5,/' "$BAD/links.csv"
mkdir -p "$WORK/badout"
run_rc bad run "$BAD" --out "$WORK/badout/o"
expect_rc 2 bad "bad scenario"
grep -q 'assets.csv:[0-9]*:[0-9]*:' "$WORK/bad.err" || fail "bad scenario: no located assets.csv error: $(cat "$WORK/bad.err")"
[ -z "$(ls -A "$WORK/badout")" ] || fail "bad scenario: wrote into the output's parent: $(ls -A "$WORK/badout")"
[ ! -s "$WORK/bad.out" ] || fail "bad scenario: printed a summary"

run_rc missing run "$WORK/no-such-scenario" --out "$WORK/badout/o"
expect_rc 2 missing "missing scenario folder"
[ -z "$(ls -A "$WORK/badout")" ] || fail "missing scenario: wrote into the output's parent"

# A table that cannot be read is a runtime failure (exit 1) for run as for validate, not bad input.
if [ -r /proc/self/mem ]; then
    EIO="$WORK/eio-scenario"
    cp -r "$SMALL" "$EIO"
    ln -sf /proc/self/mem "$EIO/links.csv" # opens, but every read fails with EIO
    run_rc eio run "$EIO" --out "$WORK/badout/o"
    expect_rc 1 eio "unreadable links.csv"
    grep -q 'links.csv: read error' "$WORK/eio.err" || fail "unreadable links.csv: no message: $(cat "$WORK/eio.err")"
    run_rc eiov validate "$EIO"
    expect_rc 1 eiov "validate: unreadable links.csv"
    grep -q 'cannot be read' "$WORK/eiov.err" || fail "validate: unreadable links.csv called invalid: $(cat "$WORK/eiov.err")"
    [ -z "$(ls -A "$WORK/badout")" ] || fail "unreadable scenario: wrote into the output's parent"
fi

# A previous output survives a failed run untouched.
mkdir -p "$WORK/keep"
run_rc keep1 run "$SMALL" --out "$WORK/keep/o" --quiet
expect_rc 0 keep1 "output to keep"
cp "$WORK/keep/o/timeline.csv" "$WORK/keep-timeline.csv" 2>/dev/null || : >"$WORK/keep-timeline.csv"
run_rc keep2 run "$BAD" --out "$WORK/keep/o" --quiet
expect_rc 2 keep2 "bad scenario over an existing output"
cmp -s "$WORK/keep/o/timeline.csv" "$WORK/keep-timeline.csv" || fail "bad run changed the previous output"
[ "$(ls -A "$WORK/keep")" = o ] || fail "bad run left files beside the output: $(ls -A "$WORK/keep")"

# A rerun into the same folder replaces the previous output (here: with another seed).
run_rc keep3 run "$SMALL" --out "$WORK/keep/o" --seed 99 --quiet
expect_rc 0 keep3 "rerun into an existing output"
[ "$(manifest_value "$WORK/keep/o/manifest.csv" seed)" = 99 ] || fail "rerun did not replace the output"
[ "$(ls -A "$WORK/keep")" = o ] || fail "rerun left files beside the output: $(ls -A "$WORK/keep")"

# A folder that is not a crisim output is never replaced.
mkdir -p "$WORK/precious"
echo data >"$WORK/precious/thesis.tex"
run_rc precious run "$SMALL" --out "$WORK/precious" --quiet
expect_rc 2 precious "--out onto a folder that is not an output"
[ "$(ls -A "$WORK/precious")" = thesis.tex ] || fail "--out replaced a foreign folder"
grep -q 'refusing to replace' "$WORK/precious.err" || fail "no 'refusing to replace' message: $(cat "$WORK/precious.err")"
[ -z "$(find "$WORK" -maxdepth 1 -name 'precious.tmp-*')" ] || fail "refused run left a temporary folder"

# Default output folder: out/<scenario name> under the current directory, parents created.
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && "$CRISIM" run "$SMALL" --quiet) >"$WORK/cwd.out" 2>&1 || fail "default --out run failed: $(cat "$WORK/cwd.out")"
[ -f "$WORK/cwd/out/run-small/manifest.csv" ] || fail "default output folder out/run-small missing"
[ "$(ls -A "$WORK/cwd/out")" = run-small ] || fail "default output left other files: $(ls -A "$WORK/cwd/out")"

# Default seed is the scenario's (7 in run-small/scenario.csv).
[ "$(manifest_value "$WORK/cwd/out/run-small/manifest.csv" seed)" = 7 ] || fail "default seed is not the scenario's"

# ---- usage errors: exit 2, nothing written --------------------------------------------------------------
mkdir -p "$WORK/usage"
usage_case() { # usage_case LABEL ARGS...
    local label=$1
    shift
    run_rc "usage-$label" run "$@"
    expect_rc 2 "usage-$label" "usage error ($label)"
    [ -s "$WORK/usage-$label.err" ] || fail "usage error ($label): no message"
}
usage_case nodir --out "$WORK/usage/o"
usage_case twodirs "$SMALL" "$SMALL" --out "$WORK/usage/o"
usage_case unknown "$SMALL" --bogus --out "$WORK/usage/o"
usage_case seed "$SMALL" --seed abc --out "$WORK/usage/o"
usage_case negseed "$SMALL" --seed -1 --out "$WORK/usage/o"
usage_case bigseed "$SMALL" --seed 18446744073709551616 --out "$WORK/usage/o"
usage_case replicate "$SMALL" --replicate x1 --out "$WORK/usage/o"
usage_case horizon "$SMALL" --horizon 5x --out "$WORK/usage/o"
usage_case horizon0 "$SMALL" --horizon 0 --out "$WORK/usage/o"
usage_case novalue "$SMALL" --out
usage_case emptyout "$SMALL" --out ""
[ -z "$(ls -A "$WORK/usage")" ] || fail "a usage error wrote output: $(ls -A "$WORK/usage")"

run_rc help run --help
expect_rc 0 help "--help"
grep -q 'usage: crisim run DIR' "$WORK/help.out" || fail "--help does not print the usage"

# The largest seed is accepted and recorded exactly.
run_rc maxseed run "$SMALL" --seed 18446744073709551615 --out "$WORK/maxseed" --quiet
expect_rc 0 maxseed "largest seed"
[ "$(manifest_value "$WORK/maxseed/manifest.csv" seed)" = 18446744073709551615 ] || fail "largest seed not recorded"

# ---- interruption: SIGTERM / SIGINT mid-run leaves nothing, and crisim dies of the signal ----------------
# A long run: the sector model stepping every second for 1000 days (tens of millions of steps).
LONG="$WORK/long-scenario"
cp -r "$SMALL" "$LONG"
printf 'key,value\nname,long\nstart,2024-06-06T00:00Z\nhorizon,1000d\nmodel,both\niim_step,1s\n' >"$LONG/scenario.csv"
printf 'sector,region,depends_on,depends_on_region,coefficient\ntelecom,,power,,0.5\npower,AT,power,DE,0.3\n' >"$LONG/iim.csv"
for sig in TERM INT; do
    mkdir -p "$WORK/sig$sig"
    "$CRISIM" run "$LONG" --out "$WORK/sig$sig/o" >"$WORK/sig$sig.out" 2>"$WORK/sig$sig.err" &
    pid=$!
    for _ in $(seq 100); do # wait (up to 10 s) until the run writes its temporary folder
        if [ -n "$(ls -A "$WORK/sig$sig")" ] || ! kill -0 "$pid" 2>/dev/null; then break; fi
        sleep 0.1
    done
    sleep 0.3
    kill -s "$sig" "$pid" 2>/dev/null || true
    RC=0
    wait "$pid" || RC=$?
    if [ "$RC" -eq 0 ]; then
        echo "note: the long run finished before SIG$sig arrived; interruption not checked"
        continue
    fi
    want=$((128 + $(kill -l "$sig")))
    [ "$RC" -eq "$want" ] || fail "SIG$sig: exit status $RC, expected $want (death by the signal): $(cat "$WORK/sig$sig.err")"
    grep -q "interrupted (SIG$sig); nothing written" "$WORK/sig$sig.err" || fail "SIG$sig: no message: $(cat "$WORK/sig$sig.err")"
    [ -z "$(ls -A "$WORK/sig$sig")" ] || fail "SIG$sig: left files: $(ls -A "$WORK/sig$sig")"
done

no_leftovers "$WORK" "all runs"

if [ "$FAILS" -gt 0 ]; then
    echo "test_run.sh: $FAILS check(s) failed" >&2
    exit 1
fi
echo "test_run.sh: all checks passed"
