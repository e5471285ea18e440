#!/usr/bin/env bash
# What a user gets from a release, checked outside the repository with the environment cleared:
#   Tests/dist/run.sh dist/kieimage-V-linux-ARCH.tar.gz dist/kieimage-V-py3-none-linux_ARCH.whl
# archive: the layout; README's C example built with the archive's pkg-config file alone and run
#          under env -i; bin/kie-image generate --simulate writes a PNG under env -i; man -l
#          renders kie-image.1; the tools need no Swift runtime.
# wheel:   version from the C header, built by hatchling, installs with --no-index into a fresh
#          venv outside the repo; Client(...).run(...) succeeds against the archive's kie-sim
#          under env -i.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
tarball=$(realpath "$1"); wheel=$(realpath "$2")
python=${PYTHON:-python3}
tmp=$(mktemp -d /tmp/kieimage-dist.XXXXXX)
sims=()
cleanup() {
  for pid in "${sims[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
passed=0
ok() { echo "ok: $*"; passed=$((passed + 1)); }
fail() { echo "FAIL: $*" >&2; exit 1; }
clean_env=(env -i PATH=/usr/bin:/bin HOME="$tmp/home" LANG=C.UTF-8)
mkdir -p "$tmp/home"
key="kie-canary-$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

version=$(sed -n 's/^#define KIE_VERSION_\(MAJOR\|MINOR\|PATCH\) \([0-9]*\).*/\2/p' \
  "$repo/Sources/CKieImage/include/kieimage_types.h" | paste -sd.)
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "no version in kieimage_types.h"

# -- the archive --------------------------------------------------------------------------------
name=$(basename "$tarball" .tar.gz)
[ "$name" = "kieimage-$version-linux-$(uname -m)" ] || fail "archive name $name does not carry version $version"
mkdir -p "$tmp/unpacked"
tar -C "$tmp/unpacked" -xzf "$tarball"
root="$tmp/unpacked/$name"
for f in include/kieimage.h "lib/libkieimage.so.$version" lib/libkieimage.so.1 lib/libkieimage.so \
         lib/pkgconfig/kieimage.pc bin/kie-image bin/kie-sim share/man/man1/kie-image.1 share/man/man1/kie-sim.1 \
         share/doc/kieimage/README.md share/doc/kieimage/docs/README.md share/doc/kieimage/docs/c-api.md; do
  [ -e "$root/$f" ] || fail "archive lacks $f"
done
[ "$(readlink "$root/lib/libkieimage.so")" = libkieimage.so.1 ] || fail "libkieimage.so is not a link to the SONAME"
[ "$(readlink "$root/lib/libkieimage.so.1")" = "libkieimage.so.$version" ] || fail "libkieimage.so.1 link"
if grep -rlq -- "$repo" "$root/lib/pkgconfig" "$root/include"; then fail "the archive names the build tree"; fi
for exe in bin/kie-image bin/kie-sim "lib/libkieimage.so.$version"; do
  if ldd "$root/$exe" | grep -qiE 'swift|foundation|not found'; then ldd "$root/$exe" >&2; fail "$exe needs a Swift runtime"; fi
done
ok "archive layout: header, library and links, pkg-config, tools, man pages, docs; no Swift runtime needed"

# The archive's pkg-config file finds the archive wherever it is unpacked: move it once more.
mv "$root" "$tmp/moved"; root="$tmp/moved"
export PKG_CONFIG_PATH="$root/lib/pkgconfig"
[ "$(pkg-config --modversion kieimage)" = "$version" ] || fail "pkg-config --modversion"
[ "$(realpath "$(pkg-config --variable=includedir kieimage)")" = "$root/include" ] || fail "pkg-config includedir is not relocated"
ok "kieimage.pc is relocatable (version $version)"

# README's C example, and the command the README gives to build it.
awk '/^## C$/{c=1} c&&/^```c$/{f=1;next} f&&/^```$/{exit} f' "$repo/README.md" > "$tmp/fox.c"
build=$(awk '/^## C$/{c=1} c&&/^```sh$/{f=1;next} f&&/^```$/{exit} f&&/^cc /' "$repo/README.md")
grep -q kie_generate "$tmp/fox.c" || fail "no C example in README.md"
[ -n "$build" ] || fail "no cc line under README.md's C example"
(cd "$tmp" && bash -c "$build") || fail "README's C example does not build: $build"
[ -x "$tmp/fox" ] || fail "README's build line writes no ./fox"

start_sim() { # start_sim OUTFILE: kie-sim from the archive, under env -i; prints nothing
  "${clean_env[@]}" "$root/bin/kie-sim" --port 0 --api-key "$key" --generation-ms 300 >"$1" 2>"$1.err" &
  sims+=($!)
  for _ in $(seq 1 200); do [ -s "$1" ] && break; sleep 0.05; done
  head -n 1 "$1" | grep -q '^http://127.0.0.1:' || { cat "$1.err" >&2; fail "kie-sim from the archive did not start under env -i"; }
}
start_sim "$tmp/sim1"
url=$(head -n 1 "$tmp/sim1")
(cd "$tmp" && "${clean_env[@]}" KIE_API_KEY="$key" KIE_BASE_URL="$url" ./fox > "$tmp/fox.out" 2>&1) \
  || { cat "$tmp/fox.out" >&2; fail "README's C example failed under env -i"; }
grep -q '"status":"SUCCESS"' "$tmp/fox.out" || { cat "$tmp/fox.out" >&2; fail "README's C example printed no SUCCESS task"; }
ok "README's C example builds with the archive's pkg-config alone and runs under env -i"
# GPT Image 2 goes through kie's Market API.
(cd "$tmp" && "${clean_env[@]}" KIE_API_KEY="$key" KIE_BASE_URL="$url" ./fox 2 > "$tmp/fox2.out" 2>&1) \
  || { cat "$tmp/fox2.out" >&2; fail "README's C example (GPT Image 2) failed under env -i"; }
grep -q '"status":"SUCCESS"' "$tmp/fox2.out" || fail "README's C example (GPT Image 2) printed no SUCCESS task"
grep -q '"family":"market"' "$tmp/fox2.out" || fail "README's C example (GPT Image 2) did not go through the Market API"
ok "README's C example with GPT Image 2"

mkdir -p "$tmp/cli"
(cd "$tmp/cli" && "${clean_env[@]}" "$root/bin/kie-image" generate --simulate --prompt "A lighthouse at dawn" \
  --size 3:2 --out "$tmp/cli/out" > "$tmp/cli.out" 2>&1) || { cat "$tmp/cli.out" >&2; fail "kie-image generate --simulate under env -i"; }
png=$(find "$tmp/cli/out" -name '*.png' | head -n 1)
[ -n "$png" ] || fail "kie-image generate --simulate wrote no PNG"
[ "$(od -An -N8 -tx1 "$png" | tr -d ' \n')" = 89504e470d0a1a0a ] || fail "$png is not a PNG"
ok "bin/kie-image generate --simulate writes a PNG under env -i"

for page in kie-image kie-sim; do
  "${clean_env[@]}" MANWIDTH=80 man -l "$root/share/man/man1/$page.1" > "$tmp/$page.txt" 2> "$tmp/$page.err" \
    || { cat "$tmp/$page.err" >&2; fail "man -l $page.1"; }
  [ ! -s "$tmp/$page.err" ] || { cat "$tmp/$page.err" >&2; fail "man -l $page.1 warned"; }
  grep -q "^NAME" "$tmp/$page.txt" && grep -q "$page" "$tmp/$page.txt" || fail "$page.1 renders no NAME section"
done
grep -q "generate" "$tmp/kie-image.txt" && grep -q "batch" "$tmp/kie-image.txt" || fail "kie-image.1 lacks its subcommands"
ok "man -l renders kie-image.1 and kie-sim.1"

# -- the wheel ----------------------------------------------------------------------------------
[ "$(basename "$wheel")" = "kieimage-$version-py3-none-linux_$(uname -m).whl" ] || fail "wheel name $(basename "$wheel")"
"$python" - "$wheel" "$version" <<'PY' || fail "wheel contents"
import sys, zipfile
wheel, version = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(wheel) as z:
    names = z.namelist()
    meta = z.read(f"kieimage-{version}.dist-info/METADATA").decode()
    info = z.read(f"kieimage-{version}.dist-info/WHEEL").decode()
assert f"\nVersion: {version}\n" in meta, meta[:200]
assert "Generator: hatchling" in info and "Root-Is-Purelib: false" in info, info
assert "kieimage/libkieimage.so" in names and "kieimage/py.typed" in names, names
assert not any("tests/" in n or "hatch_build" in n for n in names), names
PY
ok "wheel: version $version from the header, built by hatchling, library bundled"

"$python" -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install -q --no-index "$wheel" > "$tmp/pip.out" 2>&1 || { cat "$tmp/pip.out" >&2; fail "pip install --no-index"; }
mkdir -p "$tmp/work"
cat > "$tmp/work/run.py" <<'PY'
import os, sys
import kieimage
version, base_url, market = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
assert os.path.realpath(kieimage.__file__).startswith(os.path.realpath(sys.prefix)), kieimage.__file__
assert kieimage.LIBRARY_PATH.startswith(os.path.dirname(kieimage.__file__)), kieimage.LIBRARY_PATH
assert kieimage.__version__ == kieimage.library_version() == version, (kieimage.__version__, version)
key = sys.stdin.read()
with kieimage.Client(api_key=key, base_url=base_url) as client:
    task = client.run(prompt="A beautiful sunset over the mountains", size="1:1")
    assert task.status.value == "SUCCESS" and task.result_urls, task
    (path,) = client.download(task, "out")
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n", path
    print("gpt-image-1", task.status.value, os.path.abspath(path))
    if market:
        task = client.run(model="gpt-image-2-text-to-image", prompt="A red fox", aspect_ratio="16:9")
        assert task.status.value == "SUCCESS" and task.result_urls, task
        print("gpt-image-2", task.status.value)
PY
start_sim "$tmp/sim2"
url=$(head -n 1 "$tmp/sim2")
printf %s "$key" | (cd "$tmp/work" && "${clean_env[@]}" "$tmp/venv/bin/python" run.py "$version" "$url" \
  1) > "$tmp/py.out" 2>&1 || { cat "$tmp/py.out" >&2; fail "Client(...).run(...) from the wheel under env -i"; }
grep -q "^gpt-image-1 SUCCESS $tmp/work/out/" "$tmp/py.out" || { cat "$tmp/py.out" >&2; fail "no PNG from the wheel"; }
ok "the wheel installs with --no-index into a fresh venv; Client(...).run(...) succeeds under env -i"

if grep -rqa --exclude-dir=venv -- "$key" "$tmp"; then fail "the API key was written somewhere"; fi
echo "dist test: $passed passed, 0 failed"
