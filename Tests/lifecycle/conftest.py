"""Fixtures for the kill-and-resume tests: a simulator per test and the programs under test
(the C example resume.c, built against the library being tested, and a Python program on the
binding)."""
import os
import subprocess
import sys

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "cli"))
from clihelpers import ROOT, Sim  # noqa: E402

# The Python program under test imports the binding from the source tree.
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in [os.path.join(ROOT, "bindings", "python"), os.environ.get("PYTHONPATH")] if p)


def library_dir():
    lib = os.environ.get("KIEIMAGE_LIB", os.path.join(ROOT, ".build/debug/libkieimage.so"))
    return os.path.dirname(os.path.abspath(lib))


@pytest.fixture(scope="session")
def resume_c(tmp_path_factory):
    """bindings/c/examples/resume.c, compiled against include/ and the library under test."""
    out = tmp_path_factory.mktemp("bin") / "resume"
    jansson = subprocess.run(["pkg-config", "--cflags", "--libs", "jansson"], capture_output=True, text=True, check=True)
    subprocess.run(["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-I", os.path.join(ROOT, "include"),
                    os.path.join(ROOT, "bindings/c/examples/resume.c"), "-o", str(out),
                    "-L", library_dir(), "-Wl,-rpath," + library_dir(), "-lkieimage", "-lpthread",
                    *jansson.stdout.split()], check=True)
    return str(out)


@pytest.fixture
def sim():
    s = Sim(generation_ms=1500)
    yield s
    s.stop()
