#!/usr/bin/env bash
# test_gen.sh CRISIM SOURCE_DIR — `crisim gen`: generated scenarios are valid and run, links are
# local, the same options give byte-identical files, options are honoured, bad usage is exit 2.
set -u
. "$(dirname "$0")/lib.sh" # before any cd: $0 may be relative

bin=${1:?usage: test_gen.sh CRISIM SOURCE_DIR}
work=$(mktemp -d "${TMPDIR:-/tmp}/test_gen.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
rows() { echo $(($(wc -l <"$1") - 1)); }

if ! "$bin" gen --help >/dev/null 2>&1; then
    echo "FAIL: '$bin gen --help' does not work: is 'gen' in the command table of tools/main.c?" >&2
    exit 1
fi

# ---- a 1,000-asset scenario: valid, runs, has what was asked ------------------------------------
expect_rc 0 "gen 1000 assets" -- "$bin" gen g1 --assets 1000 --seed 7
for f in scenario.csv regions.csv assets.csv links.csv injects.csv; do
    [ -s "g1/$f" ] || fail "g1/$f missing or empty"
done
[ -z "$(ls -A g1 | grep -v '\.csv$')" ] && ok "no temporary files left" || fail "left over: $(ls -A g1)"
expect_rc 0 "validate" -- "$bin" validate g1
grep -q "1000 assets, 3000 links" "$work/out.txt" && ok "validate counts 1000 assets, 3000 links" ||
    fail "validate says: $(cat "$work/out.txt")"
[ "$(rows g1/assets.csv)" = 1000 ] && [ "$(rows g1/links.csv)" = 3000 ] && [ "$(rows g1/injects.csv)" = 10 ] &&
    ok "1000 assets, 3000 links, 10 injects (defaults)" ||
    fail "rows: $(rows g1/assets.csv) assets, $(rows g1/links.csv) links, $(rows g1/injects.csv) injects"
grep -qx 'seed,7' g1/scenario.csv && grep -qx 'name,gen-1000' g1/scenario.csv && ok "scenario.csv: name and seed" ||
    fail "scenario.csv: $(cat g1/scenario.csv)"
expect_rc 0 "run" -- "$bin" run g1 --out run1 --quiet
[ -s run1/timeline.csv ] && [ "$(rows run1/timeline.csv)" -gt 10 ] && ok "the run has a timeline" ||
    fail "timeline: $(rows run1/timeline.csv 2>/dev/null) rows"
# every inject damages an existing asset; some links cross borders, most do not
cross_share() { # cross_share DIR: share of the links whose ends are in two regions
    awk -F, 'NR == FNR { if (FNR > 1) region[$1] = $3; next }
             FNR > 1 { total++; if (region[$1] != region[$2]) cross++ }
             END { printf "%.3f", cross / total }' "$1/assets.csv" "$1/links.csv"
}
share=$(cross_share g1)
awk -v s="$share" 'BEGIN { exit !(s > 0.05 && s < 0.2) }' && ok "about 10 % of the links cross a border ($share)" ||
    fail "cross-border share $share, expected about 0.1 (0.05-0.2)"
awk -F, 'NR == FNR { if (FNR > 1) id[$1] = 1; next } FNR > 1 && ($4 != "damage" || !($5 in id)) { bad = 1 }
         END { exit bad }' g1/assets.csv g1/injects.csv && ok "injects damage existing assets" ||
    fail "an inject is not a damage of an existing asset"
[ "$(cut -d, -f2 g1/assets.csv | sort -u | wc -l)" -ge 10 ] && ok "sectors are mixed" || fail "few sectors"
[ "$(sort g1/links.csv | uniq -d | wc -l)" = 0 ] && [ "$(cut -d, -f1,2 g1/links.csv | sort | uniq -d | wc -l)" = 0 ] &&
    ok "no duplicate link" || fail "duplicate (supplier, dependent) pairs"

# ---- locality: most links join assets close in the file (the same or a nearby locality) ----------
expect_rc 0 "gen 10000 assets" -- "$bin" gen g8 --assets 10000 --quiet
near=$(awk -F, 'NR == FNR { if (FNR > 1) row[$1] = FNR; next }
                FNR > 1 { d = row[$1] - row[$2]; if (d < 0) d = -d; n++; if (d <= 200) near++ }
                END { printf "%.3f", near / n }' g8/assets.csv g8/links.csv)
awk -v s="$near" 'BEGIN { exit !(s > 0.7) }' && ok "links are local: $near within 200 rows" ||
    fail "only $near of the links join assets within 200 rows (a uniform draw per region gives ~0.4)"
expect_rc 0 "--cross-border 0.3" -- "$bin" gen g9 --assets 1000 --cross-border 0.3 --quiet
share=$(cross_share g9)
awk -v s="$share" 'BEGIN { exit !(s > 0.22 && s < 0.38) }' && ok "--cross-border 0.3 gives $share" ||
    fail "--cross-border 0.3 gave $share"
expect_rc 0 "--cross-border 0" -- "$bin" gen g10 --assets 1000 --cross-border 0 --locality 10 --quiet
[ "$(cross_share g10)" = 0.000 ] && ok "--cross-border 0: no link crosses a border" ||
    fail "--cross-border 0 gave $(cross_share g10)"
expect_rc 0 "--shuffle" -- "$bin" gen g11 --assets 1000 --seed 7 --shuffle --quiet
cmp -s g1/links.csv g11/links.csv && ! cmp -s g1/assets.csv g11/assets.csv &&
    [ "$(sort g1/assets.csv | md5sum)" = "$(sort g11/assets.csv | md5sum)" ] &&
    ok "--shuffle: the same assets and links, assets in another order" ||
    fail "--shuffle changed the network or kept the order"
expect_rc 0 "validate the shuffled one" -- "$bin" validate g11

# ---- determinism ---------------------------------------------------------------------------------
expect_rc 0 "same options again" -- "$bin" gen g2 --assets 1000 --seed 7 --quiet
diff -r g1 g2 >/dev/null && ok "same seed: identical files" || fail "same seed: files differ"
expect_rc 0 "another seed" -- "$bin" gen g3 --assets 1000 --seed 8 --quiet
cmp -s g1/links.csv g3/links.csv && fail "another seed gave the same links" || ok "another seed: other links"

# ---- options and sizes -----------------------------------------------------------------------------
expect_rc 0 "small explicit sizes" -- "$bin" gen g4 --assets 10 --links 90 --regions 3 --injects 2 --name tiny --quiet
[ "$(rows g4/links.csv)" = 90 ] && [ "$(rows g4/regions.csv)" = 3 ] && [ "$(rows g4/injects.csv)" = 2 ] &&
    grep -qx 'name,tiny' g4/scenario.csv && ok "--links 90 (every pair) --regions 3 --injects 2 --name" ||
    fail "g4: $(rows g4/links.csv) links, $(rows g4/regions.csv) regions"
expect_rc 0 "validate the dense one" -- "$bin" validate g4
expect_rc 0 "one asset" -- "$bin" gen g5 --assets 1 --quiet
expect_rc 0 "validate one asset" -- "$bin" validate g5
expect_rc 0 "gen 100000 assets" -- "$bin" gen g6 --assets 100000 --quiet
expect_rc 0 "validate 100000 assets" -- "$bin" validate g6
grep -q "100000 assets, 300000 links" "$work/out.txt" && ok "100000 assets, 300000 links" ||
    fail "validate says: $(cat "$work/out.txt")"

# ---- crisim bench scale: one line per size, then the growth per decade ---------------------------
expect_rc 0 "bench scale 100,1000" -- "$bin" bench scale --sizes 100,1000 --reps 2 --dir "$work"
[ "$(grep -c '^engine=crisim bench=scale assets=' "$work/out.txt")" = 2 ] &&
    grep -q 'assets=1000 .*run_ms=[0-9.]* reset_ms=[0-9.]* fresh_run_ms=[0-9.]* create_ms=[0-9.]* .*events_per_asset=[0-9.]* ns_per_event=' "$work/out.txt" &&
    tail -1 "$work/out.txt" | grep -Eq '^engine=crisim bench=scale summary=per_decade run=100-1000:[0-9.]+ fresh_run=100-1000:[0-9.]+ events=100-1000:[0-9.]+ ns_per_event=100-1000:[0-9.]+$' &&
    ok "bench scale: a line per size and the per-decade summary" || fail "bench scale printed: $(cat "$work/out.txt")"
[ -z "$(ls -d "$work"/crisim-scale.* 2>/dev/null)" ] && ok "bench scale removed its scenarios" ||
    fail "left over: $(ls -d "$work"/crisim-scale.*)"

# ---- refusals -------------------------------------------------------------------------------------
expect_rc 2 "existing scenario without --force" -- "$bin" gen g1 --assets 5
cmp -s g1/links.csv g2/links.csv && ok "the existing scenario is untouched" || fail "g1 was modified"
expect_rc 0 "--force replaces it" -- "$bin" gen g1 --assets 5 --force --quiet
[ "$(rows g1/assets.csv)" = 5 ] && ok "replaced" || fail "not replaced"
expect_rc 2 "no --assets" -- "$bin" gen g7
expect_rc 2 "--assets 0" -- "$bin" gen g7 --assets 0
expect_rc 2 "too many links" -- "$bin" gen g7 --assets 3 --links 7
expect_rc 2 "more regions than assets" -- "$bin" gen g7 --assets 3 --regions 4
expect_rc 2 "bad name" -- "$bin" gen g7 --assets 3 --name 'a b'
expect_rc 2 "--cross-border above 1" -- "$bin" gen g7 --assets 3 --cross-border 1.5
expect_rc 2 "--locality 0" -- "$bin" gen g7 --assets 3 --locality 0
expect_rc 2 "no folder" -- "$bin" gen --assets 3
[ ! -e g7 ] && ok "nothing written on bad usage" || fail "g7 was created"

finish test_gen
