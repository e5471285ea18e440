#!/usr/bin/env bash
# Builds every libFuzzer target (Tests/fuzz/build.sh) and fuzzes each for its share of SECONDS,
# starting from the checked-in corpus Tests/fuzz/corpus/<target>/. Fails on any crash, leak,
# timeout or out-of-memory; the failing input is left in $FUZZ_ARTIFACTS and printed in base64.
#
# Usage: Tests/fuzz/run.sh SECONDS [TARGET...]
#   FUZZ_UPDATE_CORPUS=1   afterwards, merge (-merge=1) the new inputs into the checked-in corpus
#   FUZZ_SEEDS=1           also start from the spec examples (Tests/fuzz/seeds/make_seeds.py)
# `make test` runs `Tests/fuzz/run.sh 60`, `make fuzz` runs `Tests/fuzz/run.sh 1800`.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SECONDS_TOTAL=${1:?usage: run.sh SECONDS [TARGET...]}
shift
OUT=$(Tests/fuzz/build.sh) || { echo "fuzz: build failed" >&2; exit 1; }
ART=${FUZZ_ARTIFACTS:-$OUT/artifacts}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/kie-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$ART"

if (($#)); then TARGETS=("$@"); else
    TARGETS=()
    for f in Tests/fuzz/targets/*.swift; do TARGETS+=("$(basename "$f" .swift)"); done
fi
per=$((SECONDS_TOTAL / ${#TARGETS[@]}))
((per < 1)) && per=1
if [[ ${FUZZ_SEEDS:-0} == 1 ]]; then python3 Tests/fuzz/seeds/make_seeds.py "$WORK/seeds"; fi

# The Swift runtime's own crash backtracer would run (slowly) before libFuzzer's handler.
export SWIFT_BACKTRACE=enable=no
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}

failed=0
rows=()
for t in "${TARGETS[@]}"; do
    corpus=Tests/fuzz/corpus/$t
    mkdir -p "$corpus" "$WORK/$t"
    dirs=("$WORK/$t" "$corpus")
    [[ -d $WORK/seeds/$t ]] && dirs+=("$WORK/seeds/$t")
    log=$WORK/$t.log
    "$OUT/fuzz-$t" "${dirs[@]}" -dict=Tests/fuzz/kie.dict -max_total_time="$per" -max_len=4096 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$ART/$t-" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    result=ok
    if ((rc != 0)); then
        result="FAILED (rc $rc)"
        failed=1
        echo "---- fuzz-$t failed; last lines of its log:" >&2
        grep -vE '^#[0-9]+' "$log" | tail -40 >&2
        for a in $(grep -oE "Test unit written to [^ ]+" "$log" | awk '{print $5}'); do
            echo "---- input $a (base64):" >&2
            base64 -w0 "$a" >&2
            echo >&2
        done
    fi
    rows+=("$(printf '%-12s %6ss %10s %8s %6s  %s' "$t" "$per" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$result")")
    if [[ ${FUZZ_UPDATE_CORPUS:-0} == 1 && $rc == 0 ]]; then
        mkdir -p "$WORK/merged-$t"
        "$OUT/fuzz-$t" -merge=1 "$WORK/merged-$t" "${dirs[@]}" -max_len=4096 >"$WORK/$t.merge.log" 2>&1 &&
            rm -f "$corpus"/* && cp "$WORK/merged-$t"/* "$corpus"/
    fi
done

echo
echo "libFuzzer (-sanitize=fuzzer,address), ${SECONDS_TOTAL}s over ${#TARGETS[@]} targets"
printf '%-12s %7s %10s %8s %6s  %s\n' target time execs exec/s cov result
printf '%s\n' "${rows[@]}"
exit $failed
