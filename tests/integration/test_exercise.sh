# test_exercise.sh — `crisim exercise` through a pipe: every command, every error message, the
# journal, resume after kill -9 (byte-identical timeline and handouts) and journal determinism.
# Usage: bash test_exercise.sh <path-to-crisim> <source-dir>
set -u
CRISIM=$1
SRC=$2
SC="$SRC/scenarios/election-2024"
DATA="$SRC/tests/data/exercise"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fails=0
ok() { printf 'ok   %s\n' "$1"; }
bad() { printf 'FAIL %s\n' "$1"; fails=$((fails + 1)); }
has() { # has NAME FILE PATTERN: fixed string present
    if grep -qF -- "$3" "$2"; then ok "$1"; else bad "$1 (no '$3' in $2)"; sed -n 1,400p "$2" | tail -40; fi
}

# ---- usage errors ------------------------------------------------------------------------------
"$CRISIM" exercise >"$W/u.log" 2>&1
[ $? -eq 2 ] && ok "no folder: exit 2" || bad "no folder: exit 2"
has "no folder: message" "$W/u.log" "missing the scenario folder"
"$CRISIM" exercise "$SC" --bogus >"$W/u2.log" 2>&1
[ $? -eq 2 ] && ok "unknown option: exit 2" || bad "unknown option: exit 2"
"$CRISIM" exercise "$SRC/tests/data/exercise/no-such" </dev/null >"$W/u3.log" 2>&1
[ $? -eq 2 ] && ok "missing scenario: exit 2" || bad "missing scenario: exit 2"
"$CRISIM" exercise --help >"$W/h.log" 2>&1
has "--help" "$W/h.log" "--resume J"

# ---- every command and error through a pipe ----------------------------------------------------
"$CRISIM" exercise "$SC" --out "$W/all" <"$DATA/all-commands.txt" >"$W/all.log" 2>&1
rc=$?
[ $rc -eq 0 ] && ok "scripted exercise exits 0 despite command errors" || bad "scripted exit $rc"
L="$W/all.log"
has "prompt shows time and move" "$L" "[T+00:00 2024-06-03 00:00Z move 1] > "
has "help lists commands" "$L" "advance  DURATION"
has "help CMD" "$L" "goto     TIME       advance to a time"
has "status before start" "$L" "(not started), move 1 of 3"
has "next fires T0 injects" "$L" "=== INJECT M1-01  (move 1, ipcr)  T+00:00 2024-06-03 00:00Z"
has "inject from -> to" "$L" "from:     Council Presidency -> IPCR contact points"
has "inject expected action" "$L" "expected: share national situational pictures"
has "next stops at next inject" "$L" "=== INJECT M1-02  (move 1, message)  T+06:00"
has "injects lists fired" "$L" "fired   T+00:00    move 1  M1-01"
has "injects lists pending" "$L" "pending T+165:00   move 3  M3-07"
has "turn advances 12h" "$L" "now T+18:00 2024-06-03 18:00Z"
has "advance" "$L" "now T+19:30 2024-06-03 19:30Z"
has "advance pauses at inject" "$L" "paused at T+24:00 2024-06-04 00:00Z for inject M1-03 (before the advance target)"
has "sitrep printed" "$L" "# Situation report"
has "sitrep IPCR" "$L" "- Mode: **information_sharing**"
has "sitrep trust table" "$L" "| region | trust now | lowest | campaigns | countermeasures |"
has "sitrep handout" "$L" "handout: $W/all/handouts/sitrep-1-T+024h00.md"
has "decide applied" "$L" "decision X1 (ipcr_escalate): escalate to full"
has "decide recorded" "$L" "decision X1 recorded at T+24:00"
has "note recorded" "$L" "note X2 recorded at T+24:00"
has "status after decide" "$L" "IPCR mode full"
has "goto ISO" "$L" "paused at T+48:00 2024-06-05 00:00Z for inject M1-06 (before the goto time target)"
has "end of move handout" "$L" "handout: $W/all/handouts/sitrep-1-T+077h30.md"
has "move 2 starts" "$L" "[T+77:30 2024-06-06 05:30Z move 2] > "
has "goto T+HH:MM" "$L" "now T+80:00 2024-06-06 08:00Z"
has "notify decision" "$L" "decision X3 (notify): nis2_early_warning"
has "clock in sitrep" "$L" "NL:nis2_early_warning"
# errors: message, nothing changed
has "err unknown command" "$L" "error: unknown command 'nexr' (did you mean 'next'? 'help' lists them)"
has "err advance unit" "$L" "error: advance '6x': unknown unit 'x' in '6x'"
has "err advance missing" "$L" "error: advance: missing the duration (e.g. 'advance 6h')"
has "err advance zero" "$L" "error: advance '0': expected a duration > 0"
has "err goto bad" "$L" "error: goto 'yesterday':"
has "err goto past" "$L" "error: goto time is not after the current time (to go back: 'branch' before, then 'back')"
has "err goto horizon" "$L" "error: goto 'T+999:00': after the scenario horizon T+168:00"
has "err goto missing" "$L" "error: goto: missing the time"
has "err next arg" "$L" "error: next: takes no argument (did you mean 'advance 6h'?)"
has "err turn arg" "$L" "error: turn: takes no argument"
has "err help" "$L" "error: help: unknown command 'nope'"
has "err decide missing" "$L" "error: decide: missing the decision kind"
has "err decide kind" "$L" "did you mean 'ipcr_escalate'?)"
has "err decide region" "$L" "error: decide: column 'region': unknown region 'XX'"
has "err decide clock" "$L" "error: decide notify: unknown notification clock 'nis2_early_warnin'"
has "err note empty" "$L" "error: note: missing the text (note TEXT)"
has "saved" "$L" "exercise saved in $W/all"
for f in journal.txt timeline.csv decisions.csv manifest.csv; do
    [ -s "$W/all/$f" ] && ok "writes $f" || bad "writes $f"
done
[ "$(grep -c ',decision,' "$W/all/timeline.csv")" -eq 3 ] && ok "3 decision records in the timeline" \
    || bad "decision records: $(grep -c ',decision,' "$W/all/timeline.csv")"
[ "$(grep -c '^X' "$W/all/decisions.csv")" -eq 3 ] && ok "3 rows in decisions.csv" || bad "decisions.csv rows"
has "journal header" "$W/all/journal.txt" "# crisim exercise journal v1"
has "journal sim time" "$W/all/journal.txt" "$(printf '86400\tsitrep')"
# the decisions replay with crisim run up to the same instant
"$CRISIM" run "$SC" --decisions "$W/all/decisions.csv" --out "$W/run" --quiet
[ $? -eq 0 ] && ok "decisions.csv replays with crisim run" || bad "decisions.csv replays with crisim run"

# ---- timeline.csv is only appended to during play (a viewer follows it), and ends as crisim run's --
# Part 1 (move 1 up to the first decision) through a FIFO, then the timeline is copied; part 2 takes
# decisions: the file must keep its inode and the copy must still be its beginning.
A="$DATA/all-commands.txt"
cut1=$(($(grep -n '^decide' "$A" | head -n 1 | cut -d: -f1) - 1))
mkfifo "$W/apfifo"
"$CRISIM" exercise "$SC" --out "$W/ap" <"$W/apfifo" >"$W/ap.log" 2>&1 &
appid=$!
exec 7>"$W/apfifo"
{ head -n "$cut1" "$A"; echo 'help branches'; } >&7
for _ in $(seq 1 200); do
    [ "$(grep -c 'list the kept branches' "$W/ap.log")" -ge 2 ] && break
    sleep 0.05
done
cp "$W/ap/timeline.csv" "$W/ap-part1.csv"
ino1=$(stat -c %i "$W/ap/timeline.csv")
tail -n +"$((cut1 + 1))" "$A" >&7
exec 7>&-
wait "$appid"
[ "$(grep -c '^X' "$W/ap/decisions.csv")" -eq 3 ] && ok "append test: the decisions were taken" \
    || bad "append test: decisions.csv has $(grep -c '^X' "$W/ap/decisions.csv") rows"
[ "$(stat -c %i "$W/ap/timeline.csv")" = "$ino1" ] && ok "timeline.csv kept its inode through the decisions" \
    || bad "timeline.csv was replaced during play"
n1=$(stat -c %s "$W/ap-part1.csv")
[ "$n1" -gt 1000 ] && head -c "$n1" "$W/ap/timeline.csv" | cmp -s - "$W/ap-part1.csv" \
    && ok "timeline.csv after move 1 is still the beginning of the final file (append-only)" \
    || bad "timeline.csv was rewritten, not appended to ($n1 bytes after part 1)"
grep -q '^warning' "$W/ap.log" && bad "append test: warning: $(grep '^warning' "$W/ap.log")" \
    || ok "no rebuilt-timeline warning"
# the exercise stopped at T+81:00: crisim run to that horizon gives the same rows, plus its end row
"$CRISIM" run "$SC" --decisions "$W/ap/decisions.csv" --horizon 81h --out "$W/aprun" --quiet
head -n -1 "$W/aprun/timeline.csv" | cmp -s - "$W/ap/timeline.csv" \
    && ok "exercise timeline = crisim run --decisions timeline (same rows)" \
    || bad "exercise timeline differs from crisim run --decisions"
# going back to a branch replaces the file (a new inode, so a follower reloads it)
mkfifo "$W/bkfifo"
"$CRISIM" exercise "$SC" --out "$W/bk" <"$W/bkfifo" >"$W/bk.log" 2>&1 &
bkpid=$!
exec 7>"$W/bkfifo"
printf 'next\nbranch A\nnext\nnext\nhelp branches\n' >&7
for _ in $(seq 1 200); do
    grep -q 'list the kept branches' "$W/bk.log" && break
    sleep 0.05
done
ino1=$(stat -c %i "$W/bk/timeline.csv")
n1=$(stat -c %s "$W/bk/timeline.csv")
printf 'back A\nquit\n' >&7
exec 7>&-
wait "$bkpid"
[ "$(stat -c %i "$W/bk/timeline.csv")" != "$ino1" ] && [ "$(stat -c %s "$W/bk/timeline.csv")" -lt "$n1" ] \
    && ok "back replaces timeline.csv by a shorter file with a new inode" \
    || bad "back did not replace timeline.csv"

# ---- contingency injects for players pause play at the instant they fire ------------------------
CS="$DATA/contingency"
"$CRISIM" exercise "$CS" --out "$W/cs" --script "$DATA/contingency.txt" >"$W/cs.log" 2>&1
[ $? -eq 0 ] && ok "contingency script exits 0" || bad "contingency script exit"
L="$W/cs.log"
has "contingency inject printed when it fires" "$L" "=== INJECT c-req  (move 1, message, contingency)  T+06:00 2024-01-01 06:00Z"
has "contingency trigger shown" "$L" "    trigger:  requests(PL) >= 1"
has "next stops at the contingency inject" "$L" "[T+06:00 2024-01-01 06:00Z move 1] > note PL request seen by the ERCC"
has "advance pauses at a contingency inject" "$L" "paused at T+12:00 2024-01-01 12:00Z for the contingency inject above (before the advance target)"
has "injects: fire time of a contingency inject" "$L" "fired   T+12:00    move 1  c-dl "
"$CRISIM" run "$CS" --decisions "$W/cs/decisions.csv" --horizon 24h --out "$W/csrun" --quiet
head -n -1 "$W/csrun/timeline.csv" | cmp -s - "$W/cs/timeline.csv" \
    && ok "contingency exercise timeline = crisim run --decisions timeline" \
    || bad "contingency exercise timeline differs from crisim run --decisions"
echo quit | "$CRISIM" exercise "$CS" --resume "$W/cs/journal.txt" --out "$W/cs2" >"$W/cs2.log" 2>&1
cmp -s "$W/cs/timeline.csv" "$W/cs2/timeline.csv" && ok "contingency exercise resumes to the same timeline" \
    || bad "contingency resume: timeline differs"

# an existing exercise is never overwritten
echo quit | "$CRISIM" exercise "$SC" --out "$W/all" >"$W/again.log" 2>&1
[ $? -eq 2 ] && ok "refuses an existing exercise" || bad "refuses an existing exercise"
has "refusal says resume" "$W/again.log" "resume it with '--resume $W/all/journal.txt'"

# ---- determinism: same script twice -> identical files ------------------------------------------
"$CRISIM" exercise "$SC" --out "$W/all2" --script "$DATA/all-commands.txt" >/dev/null 2>&1
for f in timeline.csv decisions.csv; do
    cmp -s "$W/all/$f" "$W/all2/$f" && ok "deterministic $f" || bad "deterministic $f"
done
diff -r "$W/all/handouts" "$W/all2/handouts" >/dev/null && ok "deterministic handouts" || bad "deterministic handouts"

# ---- resume after kill -9 -----------------------------------------------------------------------
S="$DATA/resume.txt"
n=$(grep -c . "$S")
half=$((n / 2))
head -n "$half" "$S" >"$W/p1.txt"
tail -n +"$((half + 1))" "$S" >"$W/p2.txt"
"$CRISIM" exercise "$SC" --out "$W/ref" --script "$S" >/dev/null 2>&1
mkfifo "$W/fifo"
(cat "$W/p1.txt"; sleep 4) >"$W/fifo" &
feeder=$!
"$CRISIM" exercise "$SC" --out "$W/cut" <"$W/fifo" >"$W/cut.log" 2>&1 &
pid=$!
# wait until every command of part 1 is in the journal, then kill without warning
for _ in $(seq 1 100); do
    [ -f "$W/cut/journal.txt" ] && [ "$(grep -vc '^#' "$W/cut/journal.txt")" -ge "$half" ] && break
    sleep 0.05
done
sleep 0.3
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
kill "$feeder" 2>/dev/null
wait "$feeder" 2>/dev/null
[ "$(grep -vc '^#' "$W/cut/journal.txt")" -eq "$half" ] && ok "journal holds the $half commands before the kill" \
    || bad "journal lines after kill: $(grep -vc '^#' "$W/cut/journal.txt")"
"$CRISIM" exercise "$SC" --resume "$W/cut/journal.txt" --script "$W/p2.txt" >"$W/res.log" 2>&1
[ $? -eq 0 ] && ok "resume exits 0" || bad "resume exit"
has "resume replays" "$W/res.log" "resumed: $half commands replayed"
cmp -s "$W/ref/timeline.csv" "$W/cut/timeline.csv" && ok "resumed timeline byte-identical" \
    || bad "resumed timeline differs"
diff -r "$W/ref/handouts" "$W/cut/handouts" >/dev/null && ok "resumed handouts byte-identical" \
    || bad "resumed handouts differ"
cmp -s "$W/ref/decisions.csv" "$W/cut/decisions.csv" && ok "resumed decisions identical" || bad "resumed decisions"
cmp -s "$W/ref/journal.txt" "$W/cut/journal.txt" && ok "resumed journal identical" || bad "resumed journal"
ls "$W/ref/handouts" | grep -q 'sitrep-2-' && ok "end-of-move-2 handout written" || bad "no move-2 handout"
# resume into another folder, and a journal whose last line was torn
cp "$W/cut/journal.txt" "$W/torn.txt"
printf '999\tadvan' >>"$W/torn.txt"
echo quit | "$CRISIM" exercise "$SC" --resume "$W/torn.txt" --out "$W/other" >"$W/other.log" 2>&1
[ $? -eq 0 ] && ok "resume into another folder (torn last line dropped)" || bad "resume torn"
cmp -s "$W/ref/timeline.csv" "$W/other/timeline.csv" && ok "resumed elsewhere: timeline identical" \
    || bad "resumed elsewhere: timeline differs"
# wrong journal / seed
echo "hello" >"$W/notj.txt"
"$CRISIM" exercise "$SC" --resume "$W/notj.txt" </dev/null >"$W/nj.log" 2>&1
[ $? -eq 2 ] && ok "not a journal: exit 2" || bad "not a journal: exit 2"
has "not a journal: message" "$W/nj.log" "not a crisim exercise journal"
"$CRISIM" exercise "$SC" --resume "$W/cut/journal.txt" --seed 7 </dev/null >"$W/sd.log" 2>&1
[ $? -eq 2 ] && ok "seed mismatch: exit 2" || bad "seed mismatch"

# ---- what-if: continuations, deterministic, the live exercise unchanged -------------------------
"$CRISIM" exercise "$SC" --out "$W/wi1" <"$DATA/whatif.txt" >"$W/wi1.log" 2>&1
"$CRISIM" exercise "$SC" --out "$W/wi2" <"$DATA/whatif.txt" >"$W/wi2.log" 2>&1
"$CRISIM" exercise "$SC" --out "$W/wiref" <"$DATA/whatif-ref.txt" >"$W/wiref.log" 2>&1
L="$W/wi1.log"
has "help what-if" "$L" "what-if  N [decide KIND ...]"
has "what-if header" "$L" "what-if: 6 continuations from T+06:00 2024-06-03 06:00Z to the horizon T+168:00 (seed 1, continuations 1..6"
has "what-if columns" "$L" "with the decision"
has "what-if metric row" "$L" "  trust_hours_lost "
has "what-if unchanged" "$L" "the live exercise is unchanged"
has "err what-if missing" "$L" "error: what-if: missing the number of continuations"
has "err what-if count" "$L" "error: what-if 'x': expected a number of continuations in 1..10000"
has "err what-if tail" "$L" "error: what-if: expected 'decide KIND ...' after the count, not 'bogus'"
has "err what-if kind" "$L" "error: decide: unknown decision kind 'nope'"
grep -A40 '^what-if: ' "$W/wi1.log" | grep -v 'output\|saved\|report:' >"$W/wi1.out"
grep -A40 '^what-if: ' "$W/wi2.log" | grep -v 'output\|saved\|report:' >"$W/wi2.out"
[ -s "$W/wi1.out" ] && cmp -s "$W/wi1.out" "$W/wi2.out" && ok "what-if deterministic (same output twice)" \
    || bad "what-if output differs between two runs"
# the diff of medians of trust_hours_lost is negative: public communication slows the trust loss
grep -q '^  trust_hours_lost .* -[0-9.]*$' "$L" && ok "what-if: public communication lowers trust hours lost" \
    || bad "what-if: no negative difference for trust_hours_lost"
cmp -s "$W/wi1/timeline.csv" "$W/wiref/timeline.csv" && ok "timeline unchanged after what-if" \
    || bad "timeline changed by what-if"
[ "$(grep -c '^X' "$W/wi1/decisions.csv")" -eq 0 ] && ok "what-if records no decision" || bad "what-if wrote a decision"
grep -qF "$(printf '21600\twhat-if 6')" "$W/wi1/journal.txt" && ok "what-if journaled" || bad "what-if not journaled"
echo quit | "$CRISIM" exercise "$SC" --resume "$W/wi1/journal.txt" --out "$W/wi3" >"$W/wi3.log" 2>&1
cmp -s "$W/wi1/timeline.csv" "$W/wi3/timeline.csv" && ok "resume of a journal with what-if: same timeline" \
    || bad "resume of a journal with what-if: timeline differs"
# continuations fork from the live state: what is settled before now has no spread. At T+150h every
# cyber incident was detected and the peak of failed assets is past; across ordinary replicates both
# vary (detection delays are drawn), across continuations they must not.
{ for _ in $(seq 20); do echo 'goto T+150:00'; done; echo 'what-if 20'; } |
    "$CRISIM" exercise "$SC" --out "$W/wip" >"$W/wip.log" 2>&1
has "what-if from the live state" "$W/wip.log" "what-if: 20 continuations from T+150:00"
for m in detection_delay_mean_h peak_failed_assets cyber_incidents; do
    grep -Eq "^  $m +([0-9.e+-]+) \[\1, \1\]\$" "$W/wip.log" && ok "what-if: $m settled before now has zero width" \
        || bad "what-if: $m has a spread: $(grep "^  $m " "$W/wip.log")"
done
"$CRISIM" mc "$SC" -n 20 -j 2 --out "$W/wimc" --quiet >/dev/null 2>&1
awk -F, '$1 == "detection_delay_mean_h" && $10 != $11 { f = 1 } END { exit !f }' "$W/wimc/summary.csv" \
    && ok "ordinary replicates do spread detection_delay_mean_h (the check above can fail)" \
    || bad "detection_delay_mean_h does not vary across replicates: the zero-width check proves nothing"

# ---- branch / back / branches, resume after back, report ----------------------------------------
"$CRISIM" exercise "$SC" --out "$W/br" <"$DATA/branch.txt" >"$W/br.log" 2>&1
[ $? -eq 0 ] && ok "branch script exits 0" || bad "branch script exit"
L="$W/br.log"
has "err back without branch" "$L" "error: back: no branch kept yet"
has "branch kept" "$L" "branch A kept at T+00:00 2024-06-03 00:00Z, move 1, 0 decisions and notes"
has "branch default name" "$L" "branch b2 kept at T+00:00"
has "branches lists" "$L" "  A                T+00:00 2024-06-03 00:00Z  move 1  0 decisions and notes"
has "err back unknown" "$L" "error: back: unknown branch 'nope'"
has "back" "$L" "back to branch A: now T+00:00 2024-06-03 00:00Z, move 1, 0 decisions and notes"
has "status after back" "$L" "decisions and notes 0"
has "report written" "$L" "report: $W/br/report.md"
R="$W/br/report.md"
has "report timeline table" "$R" "| T+06:00 | 1 | inject (message) | M1-02 |"
has "report decision row" "$R" "| decision public_communication | X1 | NL pre-bunking campaign (by facilitator) |"
has "report expected observed" "$R" "| M1-02 | T+06:00 | request platform action under the DSA; prepare pre-bunking messages | yes | X1 public_communication |"
has "report not observed" "$R" "| not observed |"
has "report deadlines" "$R" "## Notification deadlines"
has "report baseline" "$R" "| metric | unit | played | baseline | difference |"
has "report frames or note" "$R" "## Map per move"
if grep -qF '![move 1](report/move-1.png)' "$R"; then
    [ -s "$W/br/report/move-1.png" ] && ok "report frames written (viewer built)" \
        || bad "report links frames that are missing"
else
    has "report says why there are no frames" "$R" "No frames: "
fi
# the report is written automatically when play reaches the horizon
for _ in $(seq 40); do echo next; done | "$CRISIM" exercise "$SC" --out "$W/hz" >"$W/hz.log" 2>&1
has "report at the horizon" "$W/hz.log" "end of the scenario (horizon reached)"
[ "$(grep -c "report: $W/hz/report.md" "$W/hz.log")" -eq 2 ] && ok "report at the horizon and at the end of input" \
    || bad "report at the horizon: $(grep -c 'report: ' "$W/hz.log") lines"
has "horizon: clocks in the report" "$W/hz/report.md" "| NL:nis2_early_warning#1 | T+80:30 | T+104:30 |"
# after back, the escalation is gone: decisions.csv holds the two decisions taken after it
[ "$(grep -c '^X' "$W/br/decisions.csv")" -eq 2 ] && ok "decisions.csv rewritten to the branch" \
    || bad "decisions.csv after back: $(grep -c '^X' "$W/br/decisions.csv") rows"
grep -q 'ipcr_escalate' "$W/br/timeline.csv" && bad "timeline still has the abandoned decision" \
    || ok "timeline rewritten to the branch"
# resume after back lands in the same state
echo quit | "$CRISIM" exercise "$SC" --resume "$W/br/journal.txt" --out "$W/br2" >"$W/br2.log" 2>&1
[ $? -eq 0 ] && ok "resume after back exits 0" || bad "resume after back exit"
for f in timeline.csv decisions.csv report.md; do
    cmp -s "$W/br/$f" "$W/br2/$f" && ok "resume after back: $f identical" || bad "resume after back: $f differs"
done

[ $fails -eq 0 ] && echo "all exercise tests passed" || echo "$fails exercise test(s) failed"
[ $fails -eq 0 ]
