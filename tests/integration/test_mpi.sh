#!/usr/bin/env bash
# test_mpi.sh CRISIM SOURCE_DIR — `mpirun -np R crisim mc` writes the same files as one process:
# R = 2 and 3, a shard, SIGTERM, and --resume on ranks. Skipped (exit 0, "SKIP") only when
# `crisim mc --help` says crisim was built without MPI.
set -u
. "$(dirname "$0")/lib.sh" # before any cd: $0 may be relative

bin=${1:?usage: test_mpi.sh CRISIM SOURCE_DIR}
src=${2:?usage: test_mpi.sh CRISIM SOURCE_DIR}
small="$src/tests/data/mc-small"

help=$("$bin" mc --help 2>&1) || { echo "FAIL: '$bin mc --help' failed" >&2; exit 1; }
if grep -q "^MPI: not built in" <<<"$help"; then
    echo "SKIP: crisim was built without MPI (crisim mc --help: 'MPI: not built in')"
    exit 0
fi
if ! grep -q "^MPI: built with MPI support" <<<"$help"; then
    echo "FAIL: crisim mc --help says nothing about MPI" >&2
    exit 1
fi
launcher=$(command -v mpirun || command -v mpiexec) ||
    { echo "FAIL: crisim has MPI support but neither mpirun nor mpiexec is installed" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/test_mpi.XXXXXX")
trap 'kill -9 $(jobs -p) 2>/dev/null; rm -rf "$work"' EXIT
cd "$work" || exit 1

# Open MPI refuses root without these (CI runs as root) and more ranks than cores without the
# last one; leak reports of the MPI library are not ours (ASan builds).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
# containers often forbid the cross-memory attach of Open MPI's shared-memory transport
export OMPI_MCA_btl_vader_single_copy_mechanism=none
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# compare DIR_A DIR_B WHAT: every output file but the manifest (whose command differs) byte for byte
compare() {
    local f bad=0
    for f in replicates.csv summary.csv; do
        cmp -s "$1/$f" "$2/$f" || { bad=1; fail "$3: $f differs"; diff "$1/$f" "$2/$f" | head -3 >&2; }
    done
    diff -r "$1/plots" "$2/plots" >/dev/null || { bad=1; fail "$3: plots/ differ"; }
    [ "$bad" = 0 ] && ok "$3: replicates.csv, summary.csv and plots/ identical"
}

# mpirun_mc R OUT ARGS...: runs crisim mc on R ranks; stderr kept in OUT.err
mpirun_mc() {
    local r=$1 out=$2
    shift 2
    timeout 120 "$launcher" -np "$r" "$bin" mc "$@" --out "$out" -j 1 >"$out.out" 2>"$out.err"
}

"$bin" mc "$small" -n 500 -j 1 --out serial --quiet || fail "serial run"
for r in 2 3; do
    if mpirun_mc "$r" "mpi$r" "$small" -n 500; then ok "mpirun -np $r (exit 0)"; else
        fail "mpirun -np $r: exit $?"
        sed 's/^/    /' "mpi$r.err" | head -20 >&2
        continue
    fi
    # a launcher that starts R independent processes would also exit 0: check the world size
    grep -q "mpi ranks $r," "mpi$r.err" && ok "rank 0 saw $r ranks" ||
        fail "rank 0 did not report 'mpi ranks $r': $(head -3 "mpi$r.err")"
    grep -q "on $r MPI ranks" "mpi$r.out" && ok "summary line names $r ranks" ||
        fail "summary line: $(head -1 "mpi$r.out")"
    [ "$(grep -c 'replicates of mc-small' "mpi$r.out")" = 1 ] && ok "only rank 0 printed" ||
        fail "several ranks printed: $(cat "mpi$r.out")"
    compare serial "mpi$r" "mpirun -np $r"
done

# a shard of the batch spread over ranks equals the same shard on one process
"$bin" mc "$small" -n 500 -j 1 --shard 2/3 --out shard --quiet || fail "serial shard"
if mpirun_mc 2 mpishard "$small" -n 500 --shard 2/3; then
    compare shard mpishard "shard 2/3 on 2 ranks"
else
    fail "mpirun shard: $(head -5 mpishard.err)"
fi

# SIGTERM (what Slurm sends at the time limit) stops every rank; rank 0 keeps the rows in order
"$launcher" -np 3 "$bin" mc "$small" -n 5000000 -j 1 --out big --no-plots >big.out 2>big.err &
pid=$!
for _ in $(seq 1 600); do
    [ "$(cat big.partial/replicates.csv 2>/dev/null | wc -l)" -ge 150 ] && break
    sleep 0.05
done
# to the ranks, as Slurm does (Open MPI's mpirun, signalled itself, SIGKILLs its ranks soon after)
ranks=$(pgrep -P "$pid" | tr '\n' ' ')
[ -n "$ranks" ] && kill -TERM $ranks 2>/dev/null
wait "$pid"
rc=$?
if [ -d big ]; then
    fail "5,000,000 replicates finished before SIGTERM?"
elif [ -z "$ranks" ]; then
    fail "SIGTERM: the ranks are not children of $launcher"
else
    [ "$rc" = 143 ] && ok "SIGTERM: exit 143" || fail "SIGTERM: exit $rc, expected 143"
    grep -q "interrupted after" big.err && ok "SIGTERM: rank 0 says what it kept" ||
        fail "no interruption message: $(tail -3 big.err)"
    kept=$(($(wc -l <big.partial/replicates.csv) - 1))
    [ "$kept" -gt 500 ] && kept=500
    tail -c 1 big.partial/replicates.csv | od -c | grep -q '\\n' && ok "SIGTERM: whole rows only" ||
        fail "SIGTERM: the last row is cut"
    if cmp -s <(head -n $((kept + 1)) big.partial/replicates.csv) <(head -n $((kept + 1)) serial/replicates.csv); then
        ok "SIGTERM: the $kept rows kept are those of the serial run"
    else
        fail "SIGTERM: the rows kept differ from the serial run's"
    fi
fi

# --resume on MPI ranks continues an interrupted batch (here: the serial run cut after 200 rows
# and half a row, as a crash leaves it) and gives the uninterrupted files
mkdir res.partial
cp serial/manifest.csv res.partial/
{ head -n 201 serial/replicates.csv; sed -n 202p serial/replicates.csv | head -c 25; } >res.partial/replicates.csv
if mpirun_mc 3 res "$small" -n 500 --resume; then
    grep -q "resuming res.partial: 200 of 500" res.err && ok "resume on 3 ranks started at row 200" ||
        fail "resume message: $(head -3 res.err)"
    compare serial res "resumed on 3 ranks"
else
    fail "resume on 3 ranks: $(tail -3 res.err)"
fi

# usage errors are printed once, by rank 0, and every rank exits
timeout 60 "$launcher" -np 3 "$bin" mc "$small" -n 0 >usage.out 2>usage.err
[ "$(grep -c "crisim mc: -n '0'" usage.err)" = 1 ] && ok "a usage error is printed once" ||
    fail "usage error printed $(grep -c "crisim mc: -n '0'" usage.err) times"

finish test_mpi
