"""Fixtures: a kie-sim process on loopback and clients bound to it.

Reusable by other suites (``pytest -p`` or a conftest that imports this one):
- ``sim_factory(*flags)``: starts ``kie-sim --port 0 --api-key <canary> --generation-ms 300 ...``
  and returns a ``Sim`` (``base_url``, ``upload_url``, ``files_url``, ``api_key``, ``admin``,
  ``config(**keys)``, ``stats()``, ``tasks()``, ``reset()``); stopped at the end of the test.
- ``sim``: one simulator per test session, reset and restored to its start configuration
  around each test.
- ``client_factory(**options)`` / ``client``: ``kieimage.Client`` on ``sim``, closed afterwards.

Environment: ``KIE_SIM`` (kie-sim executable; default ``<repo>/.build/debug/kie-sim``) and
``KIEIMAGE_LIB`` (absolute path of libkieimage.so; else the copy bundled in the package).
The API key is a random ``kie-canary-...`` value that no test prints.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
PACKAGE_ROOT = Path(__file__).resolve().parents[1]

if not os.environ.get("KIEIMAGE_LIB") and not (PACKAGE_ROOT / "kieimage" / "libkieimage.so").exists():
    _dev_lib = REPO_ROOT / ".build" / "debug" / "libkieimage.so"
    if _dev_lib.exists():
        os.environ["KIEIMAGE_LIB"] = str(_dev_lib)

# Test the package in this tree, not an installed copy.
sys.path.insert(0, str(PACKAGE_ROOT))

STARTUP_SECONDS = 60.0

# Loopback only, never through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def canary_key() -> str:
    return "kie-canary-" + secrets.token_hex(8)


def sim_executable() -> Path:
    path = Path(os.environ.get("KIE_SIM") or REPO_ROOT / ".build" / "debug" / "kie-sim")
    if not path.is_absolute():
        path = REPO_ROOT / path
    return path


class Sim:
    """A running kie-sim process."""

    def __init__(self, api_key: str, flags: List[str]) -> None:
        exe = sim_executable()
        if not exe.exists():
            pytest.fail(f"kie-sim not found at {exe}: build it (swift build --product kie-sim) or set KIE_SIM")
        self.api_key = api_key
        self._dir = tempfile.TemporaryDirectory(prefix="kie-sim-")
        self._stdout_path = Path(self._dir.name) / "stdout"
        self._stderr_path = Path(self._dir.name) / "stderr"
        with open(self._stdout_path, "wb") as out, open(self._stderr_path, "wb") as err:
            self.process = subprocess.Popen(
                [str(exe), "--port", "0", "--api-key", api_key, "--generation-ms", "300", *flags],
                stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        lines = self._read_lines(3)
        self.base_url = lines[0]
        self.upload_url = lines[1].split(" ", 1)[1]
        self.files_url = lines[2].split(" ", 1)[1]
        for url in (self.base_url, self.upload_url, self.files_url):
            assert url.startswith("http://127.0.0.1:"), "kie-sim must listen on loopback"
        self.initial_config = self.admin("GET", "config")

    def _read_lines(self, count: int) -> List[str]:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            text = self._stdout_path.read_text(errors="replace")
            lines = [line for line in text.splitlines() if line]
            if len(lines) >= count and text.endswith("\n"):
                return lines[:count]
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        self.stop()
        err = self._stderr_path.read_text(errors="replace")[-2000:].replace(self.api_key, "<key>")
        pytest.fail(f"kie-sim did not start (exit {self.process.returncode}): {err}")

    def admin(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base_url}/_sim/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with _opener.open(req, timeout=30) as resp:
            return json.loads(resp.read() or b"null")

    def config(self, **keys: Any) -> Dict[str, Any]:
        """Merges top-level config keys (POST /_sim/config)."""
        return self.admin("POST", "config", keys)

    def stats(self) -> Dict[str, Any]:
        return self.admin("GET", "stats")

    def tasks(self) -> List[Dict[str, Any]]:
        return self.admin("GET", "tasks")["tasks"]

    def callbacks(self) -> List[Dict[str, Any]]:
        return self.admin("GET", "callbacks")["callbacks"]

    def reset(self) -> None:
        """Restores the start configuration, then forgets tasks, counters and balances."""
        self.admin("POST", "config?replace=true", self.initial_config)
        self.admin("POST", "reset", {})

    def fetch(self, url: str) -> bytes:
        assert url.startswith("http://127.0.0.1:"), "tests only contact loopback"
        with _opener.open(url, timeout=30) as resp:
            return resp.read()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._dir.cleanup()


@pytest.fixture
def sim_factory() -> Iterator[Callable[..., Sim]]:
    started: List[Sim] = []

    def start(*flags: str, api_key: Optional[str] = None) -> Sim:
        s = Sim(api_key or canary_key(), list(flags))
        started.append(s)
        return s

    yield start
    for s in started:
        s.stop()


@pytest.fixture(scope="session")
def _session_sim() -> Iterator[Sim]:
    s = Sim(canary_key(), [])
    yield s
    s.stop()


@pytest.fixture
def sim(_session_sim: Sim) -> Iterator[Sim]:
    _session_sim.reset()
    yield _session_sim
    _session_sim.reset()


@pytest.fixture
def client_factory(sim: Sim) -> Iterator[Callable[..., Any]]:
    import kieimage

    made: List[Any] = []

    def make(on: Optional[Sim] = None, **options: Any) -> "kieimage.Client":
        target = on or sim
        options.setdefault("api_key", target.api_key)
        options.setdefault("base_url", target.base_url)
        options.setdefault("upload_base_url", target.upload_url)
        c = kieimage.Client(**options)
        made.append(c)
        return c

    yield make
    for c in made:
        c.close()


@pytest.fixture
def client(client_factory: Callable[..., Any]) -> Any:
    return client_factory()
