#!/bin/bash
# test_window_xvfb.sh — drives `crisim view` in a real X11 window (Xvfb + xdotool): keys move the
# cursor, S writes a screenshot, Q quits with status 0. Run by ctest only when both tools exist.
# usage: test_window_xvfb.sh CRISIM SOURCE_DIR   (runs itself under xvfb-run when DISPLAY is unset)
set -u
crisim=$1
src=$2
if [ -z "${DISPLAY:-}" ]; then
    exec xvfb-run -a -s "-screen 0 1280x800x24" bash "$0" "$crisim" "$src"
fi
work=$(mktemp -d /tmp/crisim-xvfb-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$crisim" view "$src/tests/data/view-small/run/timeline.csv" --size 1000x600 >out.txt 2>&1 &
pid=$!
wid=""
for _ in $(seq 50); do
    wid=$(xdotool search --name "crisim view" 2>/dev/null | head -1)
    [ -n "$wid" ] && break
    sleep 0.1
done
fail() { echo "FAIL: $*"; cat out.txt; kill "$pid" 2>/dev/null; exit 1; }
[ -n "$wid" ] || fail "no window appeared"
sleep 0.5
xdotool key --window "$wid" Page_Down   # first inject (21:30)
xdotool key --window "$wid" Page_Down   # I1 at 22:10
sleep 0.3
xdotool key --window "$wid" s
sleep 0.8
[ -f crisim-shot-0001.png ] || fail "S did not write crisim-shot-0001.png"
xdotool key --window "$wid" question F1 plus minus Right Left Home End 0
sleep 0.3
xdotool key --window "$wid" q 2>/dev/null   # the key-up may find the window gone
for _ in $(seq 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "Q did not quit"
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc"
echo "window test passed: screenshot $(stat -c %s crisim-shot-0001.png) bytes"
