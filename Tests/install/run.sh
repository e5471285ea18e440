#!/usr/bin/env bash
# Builds the C example and the ABI test against an installed kieimage (pkg-config only) and runs
# them in an environment where no Swift toolchain library is reachable.
#   Tests/install/run.sh PREFIX KIE_SIM
set -euo pipefail
prefix=$1; sim=$2
cd "$(dirname "$0")/../.."
out=build/install-test
mkdir -p $out
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs kieimage jansson)
gcc -std=c99 -Wall -Wextra -pedantic -Werror bindings/c/examples/generate.c $flags -Wl,-rpath,$prefix/lib -o $out/generate
gcc -std=c99 -Wall -Wextra -pedantic -Werror Tests/c/abi_nulls.c $flags -Wl,-rpath,$prefix/lib -o $out/abi_nulls
# The library must not need anything from the toolchain.
if ldd $out/generate | grep -qiE 'swift|not found'; then
  echo "install test: unexpected dependency:" >&2; ldd $out/generate >&2; exit 1
fi
clean_env=(env -i PATH=/usr/bin:/bin HOME=/tmp)
"${clean_env[@]}" $out/abi_nulls
Tests/c/with-sim.sh "$sim" --generation-ms 300 -- bash -c "env -i PATH=/usr/bin:/bin KIE_BASE_URL=\$KIE_BASE_URL KIE_API_KEY=\$KIE_API_KEY $out/generate 'installed library' 3:2" > $out/generate.out
grep -q '^http://127.0.0.1:' $out/generate.out
echo "install test: 2 programs built from pkg-config alone ran with no toolchain path: 2 passed, 0 failed"
