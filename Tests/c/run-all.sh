#!/usr/bin/env bash
# Builds and runs the C tests, the C examples and the LuaJIT example against fresh simulators,
# then again under valgrind memcheck and with ASan/UBSan. Prints one line per step and a final
# line "N passed, N failed"; exits non-zero when anything failed.
#
#   Tests/c/run-all.sh [LIB_DIR [KIE_SIM [INCLUDE_DIR]]]
#
# Arguments, or the same settings from the environment:
#   KIE_LIB_DIR   directory holding libkieimage.so            (default .build/debug)
#   KIE_SIM       the kie-sim executable                     (default .build/debug/kie-sim)
#   KIE_INC_DIR   directory holding kieimage.h               (default include)
#   KIE_FLAGS     compile+link flags for the library and jansson; when set, used instead of the
#                 three directories, e.g. KIE_FLAGS="$(pkg-config --cflags --libs kieimage jansson)"
#                 (KIE_LIB_DIR is still needed for the LuaJIT example and valgrind)
#   BUILD_DIR     where binaries and logs go                 (default build/c)
#   KIE_VALGRIND  0 to skip the valgrind runs                (default 1 when valgrind exists)
#   KIE_VALGRIND_LIB_DIR  the libkieimage.so valgrind loads (default KIE_LIB_DIR). The suppressions
#                 name Swift runtime and NIO functions, so they need a library with a symbol
#                 table: with a stripped release library, point this at the debug build.
#   KIE_SANITIZE  0 to skip the ASan/UBSan build and runs    (default 1)
#   KIE_ASYNC_N   concurrent operations in abi_async          (default 200)
#   KIE_STEP_TIMEOUT  seconds before a hung step is killed and failed (default 1200)
# Needs: gcc, libjansson-dev, pkg-config, python3; luajit and valgrind for those steps.
set -uo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
lib_dir=$(realpath "${1:-${KIE_LIB_DIR:-.build/debug}}")
sim=$(realpath "${2:-${KIE_SIM:-.build/debug/kie-sim}}")
inc_dir=$(realpath "${3:-${KIE_INC_DIR:-include}}")
build=${BUILD_DIR:-build/c}
mkdir -p "$build/logs"
build=$(realpath "$build")
logs=$build/logs
with_sim="$root/Tests/c/with-sim.sh"
async_n=${KIE_ASYNC_N:-200}

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1${2:+ ($2)}"; }
# step NAME LOG CMD...: runs CMD with output to LOG; passes on exit 0.
step() {
  local name=$1 log=$2; shift 2
  if timeout -k 10 "${KIE_STEP_TIMEOUT:-1200}" "$@" >"$log" 2>&1; then pass "$name"; else fail "$name" "exit $?, see $log"; tail -n 15 "$log" | sed 's/^/     | /'; fi
}

if [ ! -e "$lib_dir/libkieimage.so" ]; then echo "no libkieimage.so in $lib_dir"; echo "0 passed, 1 failed"; exit 1; fi
if [ ! -x "$sim" ]; then echo "no kie-sim at $sim"; echo "0 passed, 1 failed"; exit 1; fi

# The library's SONAME is libkieimage.so.1; a build tree may hold only libkieimage.so, so the
# loader gets a directory with both names.
rt_dir=$build/lib
mkdir -p "$rt_dir"
ln -sf "$lib_dir/libkieimage.so" "$rt_dir/libkieimage.so"
ln -sf "$lib_dir/libkieimage.so" "$rt_dir/libkieimage.so.1"

jansson_flags=$(pkg-config --cflags --libs jansson 2>/dev/null || echo -ljansson)
FLAGS=${KIE_FLAGS:-"-I$inc_dir -L$rt_dir -lkieimage -Wl,-rpath,$rt_dir $jansson_flags"}
CSTD="-std=c99 -Wall -Wextra -pedantic -Werror -g -O1"

# ---- 0. every exported function of the header is exercised by the hostile-input test ----
missing=""
for fn in $(grep -o '^KIE_API [^(]*(' "$inc_dir/kieimage.h" | sed -E 's/.*[ *](kie_[a-z_0-9]+)\($/\1/'); do
  grep -q "\b$fn(" Tests/c/abi_hostile.c || missing="$missing $fn"
done
n_api=$(grep -c '^KIE_API [^(]*(' "$inc_dir/kieimage.h")
if [ -z "$missing" ] && [ "$n_api" -gt 0 ]; then pass "abi_hostile.c calls all $n_api KIE_API functions"; else fail "abi_hostile.c misses:$missing"; fi

# ---- 1. build ----
tests="abi_nulls abi_hostile abi_async webhook_verify abi_dlclose"
examples="generate batch webhook market resume"
build_all() { # suffix extra-flags...
  local suffix=$1; shift
  local t
  for t in $tests; do
    step "build $t$suffix" "$logs/build-$t$suffix.log" \
      gcc $CSTD "$@" "Tests/c/$t.c" -o "$build/$t$suffix" $FLAGS -lpthread -ldl
  done
  for t in $examples; do
    step "build example $t$suffix" "$logs/build-$t$suffix.log" \
      gcc $CSTD "$@" "bindings/c/examples/$t.c" -o "$build/$t$suffix" $FLAGS
  done
}
build_all ""
sanitize=${KIE_SANITIZE:-1}
if [ "$sanitize" = 1 ]; then
  build_all "-asan" -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
fi

# Simulator flags: async tests need many tasks at once.
sim_async=(--generation-ms 1500 --generate-limit 0 --credits 1000000 --record-info-per-task 0)
sim_fast=(--generation-ms 300)

# Python's HMAC as the reference for the webhook tests (an independent implementation).
py_sign() { python3 -c 'import sys,hmac,hashlib,base64; print(base64.b64encode(hmac.new(sys.argv[1].encode(), (sys.argv[2]+"."+sys.argv[3]).encode(), hashlib.sha256).digest()).decode())' "$@"; }
wh_key="whsec-run-all"
wh_task="task_run_all_1"
wh_body="{\"code\":200,\"msg\":\"success\",\"data\":{\"taskId\":\"$wh_task\",\"info\":{\"result_urls\":[\"http://127.0.0.1/r.png\"]}}}"

printf 'A red fox in the snow\n\nA blue whale [sim:ms=700]\nA green field\n' >"$build/prompts-ok.txt"
printf 'A red fox\nbroken [sim:generate_failed]\n' >"$build/prompts-fail.txt"

# ---- 2. runs: RUN is a prefix (empty, or valgrind); SUFFIX picks the binaries ----
run_suite() { # label run-prefix binary-suffix async-n
  local label=$1 prefix=$2 suffix=$3 n=$4
  local b="$build"
  # shellcheck disable=SC2086
  step "$label abi_nulls" "$logs/$label-abi_nulls.log" $prefix "$b/abi_nulls$suffix"
  step "$label abi_hostile" "$logs/$label-abi_hostile.log" "$with_sim" "$sim" "${sim_fast[@]}" -- $prefix "$b/abi_hostile$suffix"
  step "$label abi_async (N=$n)" "$logs/$label-abi_async.log" env KIE_ASYNC_N="$n" "$with_sim" "$sim" "${sim_async[@]}" -- $prefix "$b/abi_async$suffix"
  local ts=1700000123 sig
  sig=$(py_sign pykey pytask_7 $ts)
  step "$label webhook_verify" "$logs/$label-webhook_verify.log" $prefix "$b/webhook_verify$suffix" pykey pytask_7 $ts "$sig"

  # generate: prints a PNG URL of the simulator
  step "$label example generate" "$logs/$label-generate.log" bash -c \
    "'$with_sim' '$sim' ${sim_fast[*]} -- $prefix '$b/generate$suffix' 'A beautiful sunset over the mountains' 3:2 >'$logs/$label-generate.out' && grep -q '^http://127.0.0.1:.*\.png' '$logs/$label-generate.out'"
  step "$label example generate rejects size 4:3" "$logs/$label-generate-bad.log" bash -c \
    "'$with_sim' '$sim' -- $prefix '$b/generate$suffix' 'x' 4:3 2>'$logs/$label-generate-bad.err'; [ \$? = 1 ] && grep -q VALIDATION '$logs/$label-generate-bad.err'"
  # market: GPT Image 2 through the Market API (createTask + recordInfo); a refused ratio names its field
  step "$label example market (GPT Image 2)" "$logs/$label-market.log" bash -c \
    "'$with_sim' '$sim' ${sim_fast[*]} -- $prefix '$b/market$suffix' 'A lighthouse at dusk' 16:9 2K >'$logs/$label-market.out' 2>'$logs/$label-market.err' && grep -q '^http://127.0.0.1:.*\.png' '$logs/$label-market.out' && grep -q 'credits consumed: 10' '$logs/$label-market.err'"
  step "$label example market rejects 1:1 at 4K" "$logs/$label-market-bad.log" bash -c \
    "'$with_sim' '$sim' -- $prefix '$b/market$suffix' 'x' 1:1 4K 2>'$logs/$label-market-bad.err'; [ \$? = 1 ] && grep -q 'input.resolution\\|input.aspect_ratio' '$logs/$label-market-bad.err'"
  # batch: three prompts complete; a failing task makes it exit 1 with the status name
  step "$label example batch" "$logs/$label-batch.log" bash -c \
    "'$with_sim' '$sim' ${sim_fast[*]} -- $prefix '$b/batch$suffix' '$build/prompts-ok.txt' >'$logs/$label-batch.out' && [ \$(grep -c '^completed ' '$logs/$label-batch.out') = 3 ]"
  step "$label example batch reports a failed task" "$logs/$label-batch-fail.log" bash -c \
    "'$with_sim' '$sim' ${sim_fast[*]} -- $prefix '$b/batch$suffix' '$build/prompts-fail.txt' >'$logs/$label-batch-fail.out'; [ \$? = 1 ] && grep -q '^failed 2 TASK_FAILED' '$logs/$label-batch-fail.out' && grep -q '^completed 1 ' '$logs/$label-batch-fail.out'"
  # webhook: a fresh, Python-signed callback passes; a wrong key and an old timestamp do not
  local now wsig
  now=$(date +%s)
  wsig=$(py_sign "$wh_key" "$wh_task" "$now")
  step "$label example webhook accepts a signed callback" "$logs/$label-webhook.log" bash -c \
    "printf '%s' '$wh_body' | $prefix '$b/webhook$suffix' '$wh_key' '$now' '$wsig' >'$logs/$label-webhook.out' && grep -q '\"taskId\": \"$wh_task\"' '$logs/$label-webhook.out'"
  step "$label example webhook rejects a wrong key" "$logs/$label-webhook-key.log" bash -c \
    "printf '%s' '$wh_body' | $prefix '$b/webhook$suffix' 'other-key' '$now' '$wsig' 2>'$logs/$label-webhook-key.err'; [ \$? = 1 ] && grep -q SIGNATURE '$logs/$label-webhook-key.err'"
  local old=$((now - 301)) osig
  osig=$(py_sign "$wh_key" "$wh_task" "$old")
  step "$label example webhook rejects a stale timestamp" "$logs/$label-webhook-old.log" bash -c \
    "printf '%s' '$wh_body' | $prefix '$b/webhook$suffix' '$wh_key' '$old' '$osig' 2>'$logs/$label-webhook-old.err'; [ \$? = 1 ] && grep -q SIGNATURE '$logs/$label-webhook-old.err'"
}

run_suite plain "" "" "$async_n"

# dlclose() of the library after use must not crash the host (it did before the library was
# linked with -z nodelete: NIO threads kept running unmapped code). See Tests/c/abi_dlclose.c.
step "abi_dlclose (dlopen, use, dlclose)" "$logs/abi_dlclose.log" "$with_sim" "$sim" -- "$build/abi_dlclose" "$rt_dir/libkieimage.so.1"

# ---- 3. LuaJIT through the same ABI ----
if command -v luajit >/dev/null; then
  step "luajit generate.lua" "$logs/lua.log" bash -c \
    "KIEIMAGE_LIB='$rt_dir/libkieimage.so' KIEIMAGE_HEADER='$inc_dir/kieimage.h' '$with_sim' '$sim' ${sim_fast[*]} -- luajit bindings/lua/generate.lua 'A moon over a lake' 2:3 >'$logs/lua.out' && grep -q '^http://127.0.0.1:.*\.png' '$logs/lua.out'"
  step "luajit generate.lua reports a validation error" "$logs/lua-bad.log" bash -c \
    "KIEIMAGE_LIB='$rt_dir/libkieimage.so' KIEIMAGE_HEADER='$inc_dir/kieimage.h' '$with_sim' '$sim' -- luajit bindings/lua/generate.lua 'x' 5:4 2>'$logs/lua-bad.err'; [ \$? = 1 ] && grep -q VALIDATION '$logs/lua-bad.err'"
  step "luajit market.lua (GPT Image 2)" "$logs/lua-market.log" bash -c \
    "KIEIMAGE_LIB='$rt_dir/libkieimage.so' KIEIMAGE_HEADER='$inc_dir/kieimage.h' '$with_sim' '$sim' ${sim_fast[*]} -- luajit bindings/lua/market.lua 'A moon over a lake' 16:9 1K >'$logs/lua-market.out' 2>'$logs/lua-market.err' && grep -q '^http://127.0.0.1:.*\.png' '$logs/lua-market.out' && grep -q 'gpt-image-2-text-to-image' '$logs/lua-market.err'"
  # The same idempotency key twice on a SQLite ledger: one task id printed twice, one generate at the simulator.
  rm -f "$build"/lua-ledger.db*
  step "luajit ledger.lua (idempotency key on a SQLite ledger)" "$logs/lua-ledger.log" \
    env KIEIMAGE_LIB="$rt_dir/libkieimage.so" KIEIMAGE_HEADER="$inc_dir/kieimage.h" DB="$build/lua-ledger.db" OUT="$logs/lua-ledger.out" \
    "$with_sim" "$sim" "${sim_fast[@]}" -- bash -c 'luajit bindings/lua/ledger.lua "sqlite:$DB" "A moon over a lake" order-17 >"$OUT" &&
      [ "$(sed -n 1p "$OUT")" = "$(sed -n 2p "$OUT")" ] && grep -q "^http://127.0.0.1:.*\.png" "$OUT" &&
      python3 -c "import json,os,urllib.request as u; s=json.load(u.urlopen(os.environ[\"KIE_BASE_URL\"]+\"/_sim/stats\")); assert s[\"generatesTotal\"]==1, s"'
else
  fail "luajit not installed (apt-get install luajit)"
fi

# ---- 4. valgrind memcheck: 0 errors, 0 bytes definitely lost ----
# valgrind 3.19 cannot read the DWARF 5 debug info of a Swift debug build ("unhandled dwarf2
# abbrev form code 0x25 ... I can't recover"), so it gets a copy of the library with the debug
# sections removed (symbols kept: stacks still name the functions), found first through
# LD_LIBRARY_PATH (the binaries carry RUNPATH, which LD_LIBRARY_PATH precedes).
if [ "${KIE_VALGRIND:-1}" = 1 ] && command -v valgrind >/dev/null; then
  vg_dir=$build/vglib
  mkdir -p "$vg_dir"
  vg_src=$(realpath "${KIE_VALGRIND_LIB_DIR:-$lib_dir}/libkieimage.so")
  rm -f "$vg_dir/libkieimage.so"
  objcopy --strip-debug "$vg_src" "$vg_dir/libkieimage.so"
  ln -sf libkieimage.so "$vg_dir/libkieimage.so.1"
  vg="env LD_LIBRARY_PATH=$vg_dir valgrind -q --error-exitcode=97 --leak-check=full --errors-for-leak-kinds=definite --show-leak-kinds=definite --suppressions=$root/Tests/c/valgrind.supp --num-callers=30"
  run_suite valgrind "$vg" "" "${KIE_VALGRIND_ASYNC_N:-$async_n}"
elif [ "${KIE_VALGRIND:-1}" = 1 ]; then
  fail "valgrind not installed (apt-get install valgrind)"
fi

# ---- 5. ASan/UBSan build of the tests and examples ----
# Only our C code is instrumented; the Swift library is not. Leak detection is off
# (detect_leaks=0): LSan would report the Swift runtime's and NIO's process-lifetime caches as
# leaks, and suppressing libkieimage frames would also hide a forgotten kie_string_free in our
# code, so leaks are judged by valgrind above instead. UBSan aborts on the first finding.
if [ "$sanitize" = 1 ]; then
  export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  run_suite asan "" "-asan" "$async_n"
  unset ASAN_OPTIONS UBSAN_OPTIONS
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
