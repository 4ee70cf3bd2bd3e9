#!/usr/bin/env bash
# bootstrap.sh run|test|deps — installs what crisim needs on Debian 12, then builds and runs the
# default scenario (run), builds with -DCRISIM_WERROR=ON and runs ctest (test), or stops (deps).
# Invariant: installs only the packages that are missing, and configures build/ only when needed.
set -euo pipefail

usage() {
    cat <<'USAGE'
usage: bash tools/bootstrap.sh run|test|deps

  run    install missing Debian packages, build crisim (Release, in build/) and run the default
         scenario scenarios/election-2024 (outputs in out/election-2024/)
  test   install missing Debian packages (also xvfb, xauth, xdotool for the viewer's window
         test), build with warnings as errors and run every test (ctest)
  deps   install missing Debian packages only
USAGE
}

# Build, library and fuzzing needs (clang provides libFuzzer). SDL2 is for the viewer.
PACKAGES=(build-essential cmake pkg-config libgsl-dev libcsv-dev libcmocka-dev
          libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev fonts-dejavu-core libedit-dev
          libopenmpi-dev openmpi-bin clang)
# Extra packages for `test` only: the viewer's real-window test (view.window_xvfb) runs only
# when xvfb-run and xdotool are present.
TEST_PACKAGES=(xvfb xauth xdotool)

SCENARIO=scenarios/election-2024
BUILD_DIR=build

say() { printf '\n==> %s\n' "$*"; }
die() { printf 'bootstrap: error: %s\n' "$*" >&2; exit 1; }

mode=${1:-}
case "$mode" in
    run | test | deps) ;;
    -h | --help | help) usage; exit 0 ;;
    "") usage >&2; exit 2 ;;
    *) printf 'bootstrap: unknown mode %q\n\n' "$mode" >&2; usage >&2; exit 2 ;;
esac
if [ $# -gt 1 ]; then
    usage >&2
    exit 2
fi

# Work from the repository root whatever the caller's directory.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

is_installed() {
    local status
    status=$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) || return 1
    [[ "$status" == *" ok installed" ]]
}

install_packages() {
    local wanted=("$@") missing=() p
    command -v dpkg-query >/dev/null 2>&1 ||
        die "dpkg-query not found: this script supports Debian 12 (and derivatives). Install by hand: ${wanted[*]}"
    for p in "${wanted[@]}"; do
        is_installed "$p" || missing+=("$p")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        say "Debian packages: all ${#wanted[@]} present, nothing to install"
        return 0
    fi
    say "Installing missing Debian packages: ${missing[*]}"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            die "not root and sudo is not available; as root run: apt-get install ${missing[*]}"
        sudo=(sudo)
    fi
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 update
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 \
        install -y --no-install-recommends "${missing[@]}"
    for p in "${missing[@]}"; do
        is_installed "$p" || die "package $p is still not installed after apt-get"
    done
}

# Configures $BUILD_DIR unless it is already configured with exactly these arguments (cmake --build
# re-runs the configure step by itself when a CMakeLists.txt or a globbed folder changes).
configure() {
    local stamp="$BUILD_DIR/.bootstrap-configure" args="$*"
    if [ -f "$BUILD_DIR/CMakeCache.txt" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$args" ]; then
        say "Build folder $BUILD_DIR/ already configured ($args)"
        return 0
    fi
    say "Configuring $BUILD_DIR/ ($args)"
    cmake -S . -B "$BUILD_DIR" "$@"
    printf '%s' "$args" >"$stamp"
}

build() {
    local jobs
    jobs=$(nproc 2>/dev/null || echo 2)
    say "Building in $BUILD_DIR/ (-j$jobs)"
    cmake --build "$BUILD_DIR" -j "$jobs"
}

case "$mode" in
    deps)
        install_packages "${PACKAGES[@]}"
        say "Dependencies installed. Next: bash tools/bootstrap.sh run   (or: test)"
        ;;
    run)
        install_packages "${PACKAGES[@]}"
        configure -DCMAKE_BUILD_TYPE=Release
        build
        say "Running: ./$BUILD_DIR/crisim run $SCENARIO"
        "./$BUILD_DIR/crisim" run "$SCENARIO"
        say "Done. docs/user-guide.md explains the output files and the other commands."
        ;;
    test)
        install_packages "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        configure -DCMAKE_BUILD_TYPE=Release -DCRISIM_WERROR=ON
        build
        say "Testing: ctest --test-dir $BUILD_DIR --output-on-failure --no-tests=error -j2"
        ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error -j2
        say "All tests passed."
        ;;
esac
