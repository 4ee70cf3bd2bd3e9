#!/bin/bash
# test_window_xvfb.sh — drives `crisim view` in a real X11 window (Xvfb + xdotool): keys move the
# cursor, S writes a screenshot, the go-to-time line takes typed keys, Q quits with status 0.
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
# the go-to-time line: typed text needs real (XTEST) input, so the window takes the focus; keys
# typed into the line do not act (q does not quit, s takes no screenshot), Esc closes it, Enter
# seeks and closes it, Esc closes the help without quitting
alive() { sleep 0.4; kill -0 "$pid" 2>/dev/null || fail "$1"; }
xdotool windowfocus --sync "$wid" 2>/dev/null || true
xdotool key g
sleep 0.2
xdotool type "sq"
alive "q typed into the time line quit the viewer"
[ ! -f crisim-shot-0002.png ] || fail "s typed into the time line took a screenshot"
xdotool key Escape
alive "Esc on the time line quit the viewer instead of closing the line"
xdotool key colon
sleep 0.2
xdotool type "T+1h"
xdotool key Return
sleep 0.3
xdotool key s
sleep 0.8
[ -f crisim-shot-0002.png ] || fail "after Enter the time line stayed open (s took no screenshot)"
xdotool key d F1
alive "d or F1 quit"
xdotool key Escape
alive "Esc on the help quit the viewer instead of closing it"
xdotool key Escape Escape
alive "Esc with nothing open quit the viewer (only Q quits)"
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
