#!/usr/bin/env bash
# Runs a command with a fresh kie-sim on a free loopback port:
#   Tests/c/with-sim.sh KIE_SIM_BINARY [sim flags...] -- command [args...]
# The command sees KIE_BASE_URL, KIE_UPLOAD_BASE_URL (the simulated upload host) and KIE_API_KEY
# (a canary key); the simulator is stopped after.
set -euo pipefail
sim=$1; shift
flags=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do flags+=("$1"); shift; done
shift
key="kie-canary-$RANDOM$RANDOM"
out=$(mktemp)
"$sim" --port 0 --api-key "$key" "${flags[@]}" >"$out" 2>/dev/null &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -f "$out"' EXIT
for _ in $(seq 1 200); do
  [ "$(wc -l <"$out")" -ge 3 ] && break
  sleep 0.05
done
url=$(head -n 1 "$out")
case "$url" in http://127.0.0.1:*) ;; *) echo "with-sim: simulator did not start" >&2; exit 1 ;; esac
upload=$(sed -n 2p "$out" | cut -d' ' -f2)
KIE_BASE_URL="$url" KIE_UPLOAD_BASE_URL="$upload" KIE_API_KEY="$key" "$@"
