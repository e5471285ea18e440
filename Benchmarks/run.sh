#!/usr/bin/env bash
# make bench: release builds, then every measure next to its baseline (Benchmarks/bench.py), which
# prints the table and rewrites BENCHMARKS.md. Extra arguments go to bench.py (e.g. --only P1,P4).
# Needs: make lib (build/lib/libkieimage.so.<version>), wrk, gcc, libjansson-dev, python3 with requests and jsonschema.
set -euo pipefail
cd "$(dirname "$0")/.."
SWIFT=${SWIFT:-swift}
PYTHON=${PYTHON:-python3}
# The library's scratch path and flags (Makefile RELEASE): kie-sim and kie-bench reuse the release
# modules `make lib` already compiled (NIO, AsyncHTTPClient, KieImage) instead of a second full
# release build; the Swift runtime is linked statically, as in the shipped library and tools.
SCRATCH=${BENCH_SCRATCH:-.build-lib}
# The versioned file make lib wrote (libkieimage.so.1 links to it).
LIB=$(readlink -f build/lib/libkieimage.so.1 2>/dev/null || true)

[ -n "$LIB" ] && [ -f "$LIB" ] || { echo "run 'make lib' first (build/lib/libkieimage.so.1 is missing)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing (apt-get install wrk)" >&2; exit 1; }

echo "building release kie-sim and kie-bench in $SCRATCH" >&2
# shellcheck disable=SC2046 # the flags are several words
FLAGS=$(make -s --no-print-directory release-flags)
# shellcheck disable=SC2086
$SWIFT build -c release --scratch-path "$SCRATCH" $FLAGS --product kie-sim >&2
# shellcheck disable=SC2086
$SWIFT build -c release --scratch-path "$SCRATCH" $FLAGS --product kie-bench >&2

mkdir -p build/bench
JANSSON=$(pkg-config --cflags --libs jansson 2>/dev/null || echo -ljansson)
for prog in request_build waits p4_profile; do
  # shellcheck disable=SC2086 # JANSSON holds several flags
  gcc -O2 -std=c11 -Wall -Wextra -Werror -Iinclude "Benchmarks/c/$prog.c" $JANSSON \
    -L"$(dirname "$LIB")" -l:libkieimage.so.1 -Wl,-rpath,"$(dirname "$LIB")" -o "build/bench/$prog"
done

BENCH_BIN="$(pwd)/$SCRATCH/release" BENCH_C="$(pwd)/build/bench" KIEIMAGE_LIB="$LIB" \
  exec "$PYTHON" Benchmarks/bench.py "$@"
