#!/usr/bin/env bash
# Builds the libFuzzer targets (Tests/fuzz/targets/*.swift) with `swiftc -sanitize=fuzzer,address`.
#
# The fuzzed code is the pure part of Sources/KieImage (JSON, validation, envelope and record-info
# parsing, config, webhook parse + verify), compiled straight from the package sources as a module
# named KieImage, so no AsyncHTTPClient/NIO is involved. The webhook verifier needs swift-crypto:
# SwiftPM builds it (uninstrumented, debug) under .build-fuzz, and the fuzzers link its objects.
#
# Usage: Tests/fuzz/build.sh            builds into $FUZZ_OUT (default .build-fuzz/fuzz)
# Prints the directory holding one executable per target: fuzz-<target>.
# Rebuilds only when a source is newer than the binaries.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
SCRATCH=${FUZZ_SCRATCH:-$ROOT/.build-fuzz}
OUT=${FUZZ_OUT:-$SCRATCH/fuzz}
SWIFTC=${SWIFTC:-swiftc}
SRC=Sources/KieImage

# The pure core: every file here must import nothing beyond FoundationEssentials, Synchronization
# and Crypto. Files with network code or `extension KieClient` stay out (checked below).
CORE=(
    JSON/JSONCoding.swift JSON/JSONReader.swift JSON/JSONReader+Number.swift JSON/SWAR.swift JSON/JSONWriter.swift
    JSON/JSONValue.swift
    Support/StringTrim.swift Support/URLParts.swift
    Support/Version.swift Errors/KieError.swift Errors/KieStatus.swift Errors/ErrorMapping.swift
    Requests/GenerateRequest.swift Requests/RequestValidator.swift
    Requests/ValidatedRequest.swift
    Tasks/KieTask.swift Tasks/RecordInfoParser.swift Tasks/TaskReference.swift Tasks/TaskFamily.swift Tasks/WaitEvent.swift Tasks/WaitOptions.swift
    Market/MarketPreset.swift Market/ModelPresets.swift Market/MarketValidator.swift Market/MarketRecordParser.swift
    Market/ModelCatalog.swift
    Transport/Envelope.swift Transport/TransportFailure.swift Transport/ProxySettings.swift
    Client/ClientConfig.swift Client/ClientConfig+Limits.swift Client/ClientConfig+Ledger.swift Ledger/Engine/LedgerURL.swift Journal/JournalEntry.swift
    Files/LocalInputs.swift Support/HostClockSkew.swift Support/POSIX.swift
    Policies/DurationHistory.swift Policies/PollSchedule.swift Policies/RateLimiter.swift Policies/RetryPolicy.swift
    Policies/FailurePolicy.swift
    Webhooks/WebhookEvent.swift Webhooks/WebhookVerifier.swift Webhooks/WebhookAnswer.swift
)
CORE=("${CORE[@]/#/$SRC/}")
TARGETS=(Tests/fuzz/targets/*.swift)
# Checks more than one target uses, compiled into every target.
SUPPORT=(Tests/fuzz/support/*.swift)

for f in "${CORE[@]}"; do
    if grep -qE '^(extension KieClient|import (AsyncHTTPClient|NIO|Logging))' "$f"; then
        echo "build.sh: $f mixes network/KieClient code into the pure core; split it out first" >&2
        exit 2
    fi
done

mkdir -p "$OUT/module"
stamp="$OUT/.built"
if [[ -f $stamp ]] && [[ -z $(find "${CORE[@]}" "${TARGETS[@]}" "${SUPPORT[@]}" "$0" -newer "$stamp" 2>/dev/null) ]]; then
    echo "$OUT"
    exit 0
fi

# swift-crypto (and BoringSSL), uninstrumented, as SwiftPM builds them; the fuzzers link the
# objects directly. `make test` has already built .build (debug), whose Crypto is reused; without
# it, Crypto alone is built under $SCRATCH.
CRYPTO_SCRATCH=${FUZZ_CRYPTO_SCRATCH:-}
if [[ -z $CRYPTO_SCRATCH ]]; then
    if [[ -f $ROOT/.build/debug/Modules/Crypto.swiftmodule ]] && [[ -n $(find "$ROOT/.build/debug/CCryptoBoringSSL.build" -name "*.o" -print -quit 2>/dev/null) ]]; then
        CRYPTO_SCRATCH=$ROOT/.build
    else
        CRYPTO_SCRATCH=$SCRATCH
        swift build --scratch-path "$SCRATCH" --target Crypto >&2
    fi
fi
BIN="$CRYPTO_SCRATCH/debug"
mapfile -t CRYPTO_OBJS < <(find "$BIN/Crypto.build" "$BIN/CryptoBoringWrapper.build" "$BIN/CCryptoBoringSSL.build" \
    "$BIN/CCryptoBoringSSLShims.build" "$BIN/CXKCP.build" "$BIN/CXKCPShims.build" -name '*.o' | sort)
# Only the modules the core imports: the whole Modules directory may hold unrelated modules
# whose C dependencies are not on our search path.
rm -rf "$OUT/crypto-modules" && mkdir -p "$OUT/crypto-modules"
for m in Crypto CryptoBoringWrapper; do ln -s "$BIN/Modules/$m.swiftmodule" "$OUT/crypto-modules/"; done
INCLUDES=(-I "$OUT/crypto-modules")
for m in CCryptoBoringSSL CCryptoBoringSSLShims CXKCP CXKCPShims; do
    INCLUDES+=(-Xcc "-I$CRYPTO_SCRATCH/checkouts/swift-crypto/Sources/$m/include")
done
# CKieImage (the C types and the version macros Support/Version.swift reads) as a clang module.
mkdir -p "$OUT/ckieimage"
printf 'module CKieImage {\n  header "%s"\n  export *\n}\n' "$ROOT/Sources/CKieImage/include/kieimage_types.h" \
    > "$OUT/ckieimage/module.modulemap"
INCLUDES+=(-I "$OUT/ckieimage")

FLAGS=(-sanitize=fuzzer,address -parse-as-library -O -g -swift-version 6 -use-ld=lld)
echo "build.sh: compiling the pure core (${#CORE[@]} files)" >&2
"$SWIFTC" "${FLAGS[@]}" "${INCLUDES[@]}" -module-name KieImage -wmo -enable-testing \
    -emit-module -emit-module-path "$OUT/module/KieImage.swiftmodule" \
    -emit-library -static -o "$OUT/libKieImageFuzz.a" "${CORE[@]}" >&2

for t in "${TARGETS[@]}"; do
    name=$(basename "$t" .swift)
    echo "build.sh: linking fuzz-$name" >&2
    "$SWIFTC" "${FLAGS[@]}" "${INCLUDES[@]}" -I "$OUT/module" -module-name "fuzz_$name" "$t" "${SUPPORT[@]}" \
        "$OUT/libKieImageFuzz.a" "${CRYPTO_OBJS[@]}" -lstdc++ -o "$OUT/fuzz-$name" >&2
done
touch "$stamp"
echo "$OUT"
