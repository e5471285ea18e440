#!/usr/bin/env bash
# The header's sections come from the <Section>Exports.swift files and must match docs/c-api.md:
# the generator must fail on a copy of the sources or docs broken in each way it guards against.
set -euo pipefail
gen=$(find .build -path '*debug/KieImageABI.build/include/KieImageABI-Swift.h' | head -n 1)
[ -n "$gen" ] || { echo "sections-check: build first" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fresh() { rm -rf "$tmp/abi" && cp -r Sources/KieImageABI "$tmp/abi" && cp docs/c-api.md "$tmp/c-api.md"; }
check() { scripts/generate-header --check --from-header "$gen" --sources "$tmp/abi" --docs "$tmp/c-api.md"; }
fresh
check >/dev/null
must_fail() {
  if check >/dev/null 2>&1; then echo "sections-check: $1 went unnoticed" >&2; exit 1; fi
  fresh
}
printf '\n@c(kie_stray)\npublic func kieStray() {}\n' >> "$tmp/abi/Blocking.swift"
must_fail "an export outside a section file"
sed -i '1d' "$tmp/abi/AccountExports.swift"
must_fail "a section file without its marker line"
sed -i '1s/section 7\./section 6./' "$tmp/abi/AccountExports.swift"
must_fail "two files claiming one section"
sed -i 's/^## 7\. Account$/## 7. Accounts/' "$tmp/c-api.md"
must_fail "a docs heading that differs from its section"
sed -i 's/^## 9\. .*$//' "$tmp/c-api.md"
must_fail "a section missing from the docs"
echo "sections-check: the header's sections, the *Exports.swift files and docs/c-api.md agree, and a mismatch fails"
