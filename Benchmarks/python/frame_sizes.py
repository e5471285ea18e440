#!/usr/bin/env python3
"""Async frame sizes of an unstripped Swift binary (P3's profile, BENCHMARKS.md).

    python3 Benchmarks/python/frame_sizes.py BINARY [NAME_PART ...]

Every async function has an "async function pointer" symbol (mangled name ending in `Tu`): a
32-bit relative offset to the function, then the 32-bit size of the context (frame) it allocates
on its task's allocator when called. A waiting task keeps the frames of its whole await chain, and
the slabs its deepest chain ever needed, for its life, so these sizes are what a sleeping wait
costs. Prints size and demangled name, largest first, for symbols whose mangled name contains one
of NAME_PART (default: KieImage). Use the release link before strip, e.g.
`.build-lib/x86_64-unknown-linux-gnu/release/libkieimage.so` or `.../release/kie-bench`.
"""
import struct
import subprocess
import sys


def sections(binary):
    """(address, file offset, size) of every allocated section."""
    out = []
    for line in subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        parts = line.replace("[ ", "[").split()
        if len(parts) > 6 and parts[0].startswith("["):
            try:
                addr, off, size = int(parts[3], 16), int(parts[4], 16), int(parts[5], 16)
            except ValueError:
                continue
            if addr:
                out.append((addr, off, size))
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary, parts = sys.argv[1], sys.argv[2:] or ["KieImage"]
    data = open(binary, "rb").read()
    secs = sections(binary)
    found = []
    for line in subprocess.run(["nm", binary], capture_output=True, text=True, check=True).stdout.splitlines():
        fields = line.split()
        if len(fields) != 3 or not fields[2].endswith("Tu") or not any(p in fields[2] for p in parts):
            continue
        addr = int(fields[0], 16)
        for base, off, size in secs:
            if base <= addr < base + size:
                found.append((struct.unpack_from("<iI", data, off + addr - base)[1], fields[2]))
                break
    names = subprocess.run(["swift", "demangle", "--simplified"], input="\n".join(n for _, n in found),
                           capture_output=True, text=True, check=True).stdout.splitlines()
    for (size, _), name in sorted(zip(found, names), reverse=True):
        print(size, name.removeprefix("async function pointer to "))


if __name__ == "__main__":
    main()
