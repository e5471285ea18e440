"""Helpers for the kie-image CLI tests: locate binaries, run the CLI, start a simulator, read PNGs."""
import json
import os
import shlex
import signal
import struct
import subprocess
import urllib.request
import zlib

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def kie_image():
    path = os.environ.get("KIE_IMAGE", ".build/debug/kie-image")
    return path if os.path.isabs(path) else os.path.join(ROOT, path)


def sim_command():
    """KIE_SIM (a path or a command line), else .build/debug/kie-sim, else `kie-image serve-sim`."""
    value = os.environ.get("KIE_SIM")
    if value:
        argv = shlex.split(value)
    else:
        default = os.path.join(ROOT, ".build/debug/kie-sim")
        argv = [default] if os.path.exists(default) else [kie_image(), "serve-sim"]
    if not os.path.isabs(argv[0]):
        argv[0] = os.path.join(ROOT, argv[0])
    return argv


class Sim:
    """A simulator process on a free loopback port; its first stdout line is the API base URL."""

    # Seconds an admin call may take; a debug build busy encoding result PNGs can be slow.
    admin_timeout = 10

    def __init__(self, generation_ms=1000, extra=()):
        argv = sim_command() + ["--port", "0", "--generation-ms", str(generation_ms), *extra]
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.url = self.proc.stdout.readline().strip()
        assert self.url.startswith("http://127.0.0.1:"), f"simulator printed {self.url!r}"
        self.upload_url = self.admin("GET", "/_sim/info")["uploadBaseUrl"]

    def admin(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=self.admin_timeout) as r:
            return json.loads(r.read())

    def configure(self, **keys):
        return self.admin("POST", "/_sim/config", keys)

    def tasks(self):
        return self.admin("GET", "/_sim/tasks")["tasks"]

    def stats(self):
        return self.admin("GET", "/_sim/stats")

    def env(self, key="sim-key"):
        env = dict(os.environ)
        env.update({"KIE_API_KEY": key, "KIE_BASE_URL": self.url})
        return env

    def args(self):
        return ["--upload-base-url", self.upload_url]

    def stop(self):
        stop_process(self.proc)


def stop_process(proc, timeout=10):
    """SIGTERM, then SIGKILL when it has not ended within `timeout` seconds; reaps it."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def run(args, env=None, timeout=180, cwd=None, input=None):
    """Runs kie-image with stdout and stderr as pipes (so progress is in plain-line mode)."""
    base = dict(os.environ)
    base.pop("KIE_API_KEY", None)
    base.pop("KIE_BASE_URL", None)
    return subprocess.run([kie_image(), *args], env=env or base, cwd=cwd, input=input,
                          capture_output=True, text=True, timeout=timeout)


def png_info(path):
    """Checks a PNG fully (signature, chunk CRCs, inflatable image data of the right length) and
    returns (width, height)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG signature"
    pos, idat, width, height, bpp = 8, b"", None, None, None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xFFFFFFFF == crc, f"{path}: bad CRC in {kind!r}"
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            channels = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color]
            bpp = max(1, channels * depth // 8)
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
        pos += 12 + length
    assert width and height, f"{path}: no IHDR"
    raw = zlib.decompress(idat)
    assert len(raw) == height * (1 + width * bpp), f"{path}: image data has the wrong length"
    return width, height
