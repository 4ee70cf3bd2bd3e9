#!/usr/bin/env bash
# test_no_globals.sh CRISIM_BINARY SOURCE_DIR — fails when libcrisim.a defines writable data.
# Invariant: the engine keeps no mutable global or static state (every symbol in .data, .bss, .tdata,
# .tbss or common is one); read-only tables (.rodata, .data.rel.ro after relocation) are fine.
set -euo pipefail

bin=${1:?usage: test_no_globals.sh CRISIM_BINARY SOURCE_DIR}
lib="$(cd "$(dirname "$bin")" && pwd)/engine/libcrisim.a"
if [ ! -f "$lib" ]; then
    echo "test_no_globals: FAIL: $lib not found (expected beside the crisim binary: engine/libcrisim.a)" >&2
    exit 1
fi
command -v nm >/dev/null || { echo "test_no_globals: FAIL: nm not found (binutils)" >&2; exit 1; }

# nm's System V format names each symbol's section, which tells writable data (.data, .bss ...) from
# data that is only written by the loader's relocations (.data.rel.ro, which nm also types d/D).
# Symbols that compilers add for sanitizers and coverage are not the engine's state.
offending=$(nm -f sysv "$lib" | awk -F'|' '
    /^Symbols from / { obj = $0; sub(/^Symbols from [^[]*\[/, "", obj); sub(/\]:.*$/, "", obj); next }
    NF < 7 { next }
    {
        name = $1; gsub(/ +$/, "", name); gsub(/^ +/, "", name)
        cls = $3; gsub(/ /, "", cls)
        sec = $7; gsub(/ /, "", sec)
        if (cls == "U" || cls == "w" || cls == "v") next
        writable = (sec == ".data" || sec ~ /^\.data\./ || sec ~ /^\.bss/ || sec ~ /^\.tdata/ ||
                    sec ~ /^\.tbss/ || sec ~ /^\.sdata/ || sec ~ /^\.sbss/ || sec == "*COM*" ||
                    cls == "C" || cls == "B" || cls == "b")
        if (sec ~ /^\.data\.rel\.ro/) writable = 0
        if (!writable) next
        if (name ~ /^(\.L|__odr_asan|__asan|__ubsan|__sancov|__unnamed_|__llvm_|__profc_|__profd_|__gcov)/) next
        printf "  %-40s %s  section %-14s in %s\n", name, cls, sec, obj
    }')

if [ -n "$offending" ]; then
    echo "test_no_globals: FAIL: libcrisim.a defines mutable global/static data (engine/ must keep all" >&2
    echo "state in handles; make tables 'static const' or move the state into the object):" >&2
    echo "$offending" >&2
    exit 1
fi
count=$(nm -A "$lib" 2>/dev/null | wc -l)
echo "test_no_globals: ok: no writable data symbols in $lib ($count symbols checked)"
