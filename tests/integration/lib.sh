# lib.sh — what the integration scripts share: counting failures, comparing files, checking exit
# statuses, and the closing summary. Sourced (never run by ctest: the glob takes test_*.sh only).
# expect_rc writes the command's output to $work/out.txt and $work/err.txt: set `work` first.
failures=0

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
same() { # same A B WHAT
    if cmp -s "$1" "$2"; then ok "$3"; else fail "$3 ($1 and $2 differ)"; diff "$1" "$2" | head -5 >&2; fi
}
expect_rc() { # expect_rc WANT WHAT -- command...
    local want=$1 what=$2 rc
    shift 3
    "$@" >"$work/out.txt" 2>"$work/err.txt"
    rc=$?
    if [ "$rc" = "$want" ]; then ok "$what (exit $rc)"; else
        fail "$what: exit $rc, expected $want"
        sed 's/^/    /' "$work/err.txt" | head -5 >&2
    fi
}
# finish NAME: prints the summary and exits 1 when a check failed.
finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$1: $failures failure(s)" >&2
        exit 1
    fi
    echo "$1: all passed"
}
