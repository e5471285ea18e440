#!/usr/bin/env bash
# The drift check must fail when an exported signature changes without regenerating the header:
# feed it the compiler's header with one @c signature altered and expect a failure.
set -euo pipefail
gen=$(find .build -path '*debug/KieImageABI.build/include/KieImageABI-Swift.h' | head -n 1)
[ -n "$gen" ] || { echo "drift-check: build first" >&2; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
sed 's/SWIFT_EXTERN int32_t kie_abi_version(void)/SWIFT_EXTERN int64_t kie_abi_version(void)/' "$gen" > "$tmp"
if cmp -s "$gen" "$tmp"; then echo "drift-check: could not alter a signature" >&2; exit 1; fi
scripts/generate-header --check --from-header "$gen" >/dev/null
if scripts/generate-header --check --from-header "$tmp" >/dev/null 2>&1; then
  echo "drift-check: a changed signature went unnoticed" >&2
  exit 1
fi
echo "drift-check: a changed @c signature fails the header check"
