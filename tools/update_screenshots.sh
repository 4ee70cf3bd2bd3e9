#!/usr/bin/env bash
# update_screenshots.sh — regenerates docs/viewer-<name>.png: runs each shipped scenario (its own seed,
# replicate 0, so the run is the same every time) and renders one 1280x720 frame headless.
# Usage: tools/update_screenshots.sh [CRISIM]   (default: build/crisim; needs the viewer built)
set -eu

SRC=$(cd "$(dirname "$0")/.." && pwd)
CRISIM=${1:-$SRC/build/crisim}
[ -x "$CRISIM" ] || { echo "update_screenshots.sh: no crisim at '$CRISIM' (pass its path)" >&2; exit 2; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/crisim-screenshots.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
export SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy

# shot SCENARIO NAME AT: docs/viewer-NAME.png of scenarios/SCENARIO at instant AT.
shot() {
    "$CRISIM" run "$SRC/scenarios/$1" --out "$WORK/$1" --quiet
    "$CRISIM" view "$WORK/$1/timeline.csv" --scenario "$SRC/scenarios/$1" --size 1280x720 \
        --png "$SRC/docs/viewer-$2.png" --at "$3"
    echo "docs/viewer-$2.png: $1 at $3, $(wc -c <"$SRC/docs/viewer-$2.png") bytes"
}

# The instants are where most happens in each run (read from its timeline); docs/viewer.md says why.
shot election-2024 election 80h
shot blackout-2006 blackout 1h05m
shot floods-2024 floods 89h
shot wildfires-med wildfires 192h
shot earthquake-usar earthquake 36h
