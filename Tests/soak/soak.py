#!/usr/bin/env python3
"""Soak: N seconds of mixed traffic through the Python binding against kie-sim at ~5 % faults.

Usage: Tests/soak/soak.py SECONDS [--concurrency 8] [--fault-rate 0.05] [--seed 1]

Traffic (asyncio, `--concurrency` workers, each picking its next operation at random):
generate+wait (`Client.run_async`), `task` (record-info), `credits`, `download_url` and
`download` of tasks that finished. The blocking calls run on worker threads. Faults: one
`{"rate", "seed"}` rule per kind on every endpoint (`*`): body codes 500/429/455, HTTP 503,
malformed JSON, truncated body, connection reset before / after the request was handled, and
latency; together they hit `--fault-rate` of all requests (Sources/KieSimulator/Faults.swift).

Reports: the process RSS (VmRSS of /proc/self/status, where libkieimage lives) sampled every few
seconds, first quarter vs last quarter (goal: flat within 5 %; reported, not asserted);
operations started / completed / failed by status; UNKNOWN_OUTCOME generates split into those
the simulator did create a task for and those it did not (matched by the op's unique prompt);
duplicate generates (one prompt, several simulator tasks).
Exit status 1 when any operation is stuck (no final result within its deadline + 30 s) or a
generate was duplicated; 0 otherwise.

Environment: KIEIMAGE_LIB (libkieimage.so; default .build/debug/libkieimage.so), KIE_SIM
(kie-sim; default .build/debug/kie-sim). Loopback only; the API key is a random canary value
that is never printed.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Deque, Dict, List, Optional, Tuple

REPO = Path(__file__).resolve().parents[2]
if not os.environ.get("KIEIMAGE_LIB"):
    os.environ["KIEIMAGE_LIB"] = str(REPO / ".build" / "debug" / "libkieimage.so")
sys.path.insert(0, str(REPO / "bindings" / "python"))
sys.path.insert(0, str(REPO / "Tests" / "cli"))

import kieimage  # noqa: E402
from clihelpers import stop_process  # noqa: E402
from kieimage import _errors  # noqa: E402

GRACE = 30.0  # an op is stuck when it has no final result this long after its deadline
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

# Client settings: short timeouts and polls so that faults cost seconds, not minutes.
REQUEST_TIMEOUT_MS = 5000
CLIENT_OPTIONS = dict(request_timeout_ms=REQUEST_TIMEOUT_MS, connect_timeout_ms=2000, max_retries=3,
                      retry_base_ms=100, retry_max_ms=1000,
                      poll={"initial_ms": 300, "max_ms": 1000, "deadline_ms": 60000},
                      rate_limit={"requests": 200, "per_ms": 10000})
WAIT_TIMEOUT = 45.0          # run_async's wait deadline (s)
RUN_DEADLINE = 90.0          # generate (rate limiter, retries) + wait
CALL_DEADLINE = 60.0         # blocking calls: 4 attempts x 5 s + backoff + latency faults
FAULTS: List[Tuple[str, Dict[str, Any]]] = [
    ("body 500", {"bodyCode": 500, "msg": "Server error"}),
    ("body 429", {"bodyCode": 429, "msg": "Rate limited"}),
    ("body 455", {"bodyCode": 455, "msg": "Service unavailable"}),
    ("http 503", {"httpStatus": 503}),
    ("malformed", {"malformed": True}),
    ("truncated", {"truncated": True}),
    ("reset before", {"reset": "before"}),
    ("reset after", {"reset": "after"}),
    ("latency", {"latencyMs": 1500}),
]
# Weights of the operations a worker starts.
OPS = [("run", 5), ("task", 3), ("credits", 2), ("download_url", 2), ("download", 1)]


def rss_kb(pid: str = "self") -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


class Sim:
    """kie-sim on loopback (as bindings/python/tests/conftest.py starts it)."""

    def __init__(self, api_key: str) -> None:
        exe = Path(os.environ.get("KIE_SIM") or REPO / ".build" / "debug" / "kie-sim")
        self._dir = tempfile.TemporaryDirectory(prefix="kie-soak-sim-")
        out_path = Path(self._dir.name) / "stdout"
        with open(out_path, "wb") as out, open(Path(self._dir.name) / "stderr", "wb") as err:
            self.process = subprocess.Popen([str(exe), "--port", "0", "--api-key", api_key, "--generation-ms", "800"],
                                            stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        deadline = time.monotonic() + 60
        lines: List[str] = []
        while time.monotonic() < deadline:
            text = out_path.read_text(errors="replace")
            lines = [line for line in text.splitlines() if line]
            if len(lines) >= 3 and text.endswith("\n"):
                break
            if self.process.poll() is not None:
                break
            time.sleep(0.02)
        if len(lines) < 3:
            self.stop()
            raise SystemExit("soak: kie-sim did not start")
        self.base_url, self.upload_url = lines[0], lines[1].split(" ", 1)[1]
        for url in (self.base_url, self.upload_url, lines[2].split(" ", 1)[1]):
            assert url.startswith("http://127.0.0.1:"), "kie-sim must listen on loopback"

    def admin(self, method: str, path: str, body: Optional[Any] = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(f"{self.base_url}/_sim/{path}", data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        with _opener.open(req, timeout=60) as resp:
            return json.loads(resp.read() or b"null")

    def stop(self) -> None:
        stop_process(self.process)
        self._dir.cleanup()


class Soak:
    def __init__(self, seconds: float, concurrency: int, fault_rate: float, seed: int) -> None:
        self.seconds = seconds
        self.concurrency = concurrency
        self.fault_rate = fault_rate
        self.rng = random.Random(seed)
        self.seed = seed
        self.run_id = secrets.token_hex(4)
        self.next_id = 0
        self.inflight: Dict[int, Tuple[str, float, float]] = {}  # id -> (kind, started, deadline)
        self.stuck: Dict[int, Tuple[str, float]] = {}
        self.started: collections.Counter = collections.Counter()
        self.outcomes: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.unknown_prompts: List[str] = []
        self.prompts_sent = 0
        self.done_tasks: Deque[kieimage.Task] = collections.deque(maxlen=64)
        self.rss: List[Tuple[float, int, int]] = []  # (t, our RSS kB, simulator RSS kB)
        self.baseline = (0, 0)
        self.t0 = 0.0
        self.stop_at = 0.0
        self.workdir = Path(tempfile.mkdtemp(prefix="kie-soak-"))
        self.pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="soak")

    # -- operations -------------------------------------------------------------------------

    async def op(self, kind: str) -> None:
        loop = asyncio.get_running_loop()
        self.next_id += 1
        op_id = self.next_id
        deadline = RUN_DEADLINE if kind == "run" else CALL_DEADLINE
        now = time.monotonic()
        self.inflight[op_id] = (kind, now, now + deadline)
        self.started[kind] += 1
        status = "OK"
        try:
            if kind == "run":
                prompt = f"soak {self.run_id} op {op_id}"
                self.prompts_sent += 1
                try:
                    task = await self.client.run_async(prompt, "1:1", timeout=WAIT_TIMEOUT)
                except _errors.UnknownOutcomeError:
                    self.unknown_prompts.append(prompt)
                    raise
                if task.succeeded:
                    self.done_tasks.append(task)
            else:
                await loop.run_in_executor(self.pool, self.blocking, kind, op_id)
        except _errors.KieError as e:
            status = e.name
        except Exception as e:  # noqa: BLE001 - anything else is reported by type
            status = "python:" + type(e).__name__
        finally:
            self.inflight.pop(op_id, None)
            self.outcomes[kind][status] += 1
            if op_id in self.stuck:
                self.outcomes[kind]["(ended after stuck)"] += 1

    def blocking(self, kind: str, op_id: int) -> None:
        if kind == "credits":
            self.client.credits()
            return
        if not self.done_tasks:
            self.client.credits()  # nothing finished yet: keep the worker busy with a cheap call
            return
        task = self.rng.choice(list(self.done_tasks))
        if kind == "task":
            self.client.task(task.task_id)
        elif kind == "download_url":
            self.client.download_url(task.task_id, task.result_urls[0])
        elif kind == "download":
            d = self.workdir / str(op_id)
            try:
                files = self.client.download(task, d)
                if len(files) != len(task.result_urls) or any(p.stat().st_size == 0 for p in files):
                    raise RuntimeError("download returned missing or empty files")
            finally:
                shutil.rmtree(d, ignore_errors=True)

    async def worker(self) -> None:
        kinds, weights = zip(*OPS)
        while time.monotonic() < self.stop_at:
            await self.op(self.rng.choices(kinds, weights)[0])

    async def monitor(self, interval: float) -> None:
        # The first sample comes one interval into the traffic; the idle process before it is
        # reported apart (self.baseline), not as part of the first quarter.
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            self.rss.append((now - self.t0, rss_kb(), rss_kb(str(self.sim.process.pid))))
            for op_id, (kind, started, deadline) in list(self.inflight.items()):
                if now > deadline + GRACE and op_id not in self.stuck:
                    self.stuck[op_id] = (kind, now - started)

    async def main(self) -> None:
        interval = 2.0 if self.seconds <= 120 else 5.0
        self.t0 = time.monotonic()
        self.baseline = (rss_kb(), rss_kb(str(self.sim.process.pid)))
        self.stop_at = self.t0 + self.seconds
        monitor = asyncio.ensure_future(self.monitor(interval))
        workers = [asyncio.ensure_future(self.worker()) for _ in range(self.concurrency)]
        # Workers stop starting ops at stop_at; ops in flight get until their deadline + GRACE.
        drain_limit = self.stop_at + max(RUN_DEADLINE, CALL_DEADLINE) + GRACE + 5
        while not all(w.done() for w in workers) and time.monotonic() < drain_limit:
            await asyncio.sleep(0.5)
        now = time.monotonic()
        for op_id, (kind, started, deadline) in list(self.inflight.items()):
            if now > deadline + GRACE and op_id not in self.stuck:
                self.stuck[op_id] = (kind, now - started)
        self.rss.append((now - self.t0, rss_kb(), rss_kb(str(self.sim.process.pid))))
        monitor.cancel()
        for w in workers:
            w.cancel()

    # -- setup and report -------------------------------------------------------------------

    def run(self) -> int:
        api_key = "kie-canary-" + secrets.token_hex(8)
        self.sim = Sim(api_key)
        try:
            per_kind = 1 - (1 - self.fault_rate) ** (1 / len(FAULTS))
            rules = [{"endpoint": "*", "match": {"rate": per_kind, "seed": self.seed * 1000 + i}, "action": action}
                     for i, (_, action) in enumerate(FAULTS)]
            self.sim.admin("POST", "config", {
                "apiKeys": {api_key: 1e12}, "faults": rules,
                "generateLimit": {"requests": 200, "perMs": 10000}, "recordInfoPerTaskPerSecond": 3,
                "failureRates": {"generateFailed": 0.02, "internalError": 0.01, "seed": self.seed},
            })
            self.client = kieimage.Client(api_key, self.sim.base_url, upload_base_url=self.sim.upload_url,
                                          **CLIENT_OPTIONS)
            asyncio.run(self.main())
            stats = self.sim.admin("GET", "stats")
            tasks = self.sim.admin("GET", "tasks")["tasks"]
            return self.report(stats, tasks)
        finally:
            client = getattr(self, "client", None)
            if client is not None and not self.stuck:
                client.close()
            self.pool.shutdown(wait=not self.stuck, cancel_futures=True)
            self.sim.stop()
            shutil.rmtree(self.workdir, ignore_errors=True)

    def report(self, stats: Dict[str, Any], tasks: List[Dict[str, Any]]) -> int:
        by_prompt: collections.Counter = collections.Counter()
        for t in tasks:
            try:
                prompt = json.loads(t.get("paramJson") or "{}").get("prompt", "")
            except ValueError:
                prompt = ""
            if prompt.startswith(f"soak {self.run_id} "):
                by_prompt[prompt] += 1
        duplicates = sum(1 for n in by_prompt.values() if n > 1)
        unknown_created = sum(1 for p in self.unknown_prompts if by_prompt[p] >= 1)
        unknown_absent = len(self.unknown_prompts) - unknown_created

        print(f"\nsoak: {self.seconds:.0f} s, {self.concurrency} workers, faults {self.fault_rate:.0%} "
              f"of requests on every endpoint ({len(FAULTS)} kinds, seed {self.seed})")
        print("\noperations")
        statuses = sorted({s for c in self.outcomes.values() for s in c})
        header = f"  {'op':<13}{'started':>8}{'ended':>8}" + "".join(f"{s:>{max(9, len(s) + 2)}}" for s in statuses)
        print(header)
        total_started = total_ended = 0
        for kind, _ in OPS:
            c = self.outcomes.get(kind, collections.Counter())
            ended = sum(n for s, n in c.items() if not s.startswith("("))
            total_started += self.started[kind]
            total_ended += ended
            print(f"  {kind:<13}{self.started[kind]:>8}{ended:>8}"
                  + "".join(f"{c.get(s, 0):>{max(9, len(s) + 2)}}" for s in statuses))
        print(f"  {'all':<13}{total_started:>8}{total_ended:>8}")

        print("\ngenerates")
        print(f"  sent (unique prompts)           {self.prompts_sent}")
        print(f"  tasks the simulator created     {sum(by_prompt.values())}")
        print(f"  UNKNOWN_OUTCOME                 {len(self.unknown_prompts)}")
        print(f"    task created (reset after)    {unknown_created}")
        print(f"    no task (nothing accepted)    {unknown_absent}")
        print(f"  duplicate generates             {duplicates}")
        counts = stats.get("requests") or stats.get("requestCounts") or {}
        if isinstance(counts, dict) and counts:
            print("\nsimulator requests by endpoint")
            for name in sorted(counts):
                print(f"  {name:<22}{counts[name]:>8}")

        print("\nRSS (VmRSS, MiB)")
        print(f"  {'t (s)':>7}{'soak':>9}{'kie-sim':>9}")
        print(f"  {'idle':>7}{self.baseline[0] / 1024:>9.1f}{self.baseline[1] / 1024:>9.1f}   (before any traffic)")
        step = max(1, len(self.rss) // 12)
        for t, ours, sim in self.rss[::step] + ([self.rss[-1]] if (len(self.rss) - 1) % step else []):
            print(f"  {t:>7.0f}{ours / 1024:>9.1f}{sim / 1024:>9.1f}")
        n = len(self.rss)
        q = max(1, n // 4)
        first = sum(r[1] for r in self.rss[:q]) / q
        last = sum(r[1] for r in self.rss[-q:]) / q
        drift = (last - first) / first * 100 if first else 0.0
        verdict = "flat (within 5 %)" if abs(drift) <= 5 else "NOT flat (goal: within 5 %)"
        print(f"  first quarter mean {first / 1024:.1f} MiB, last quarter mean {last / 1024:.1f} MiB: "
              f"{drift:+.1f} % -> {verdict}")

        print(f"\nstuck operations (no final result within deadline + {GRACE:.0f} s): {len(self.stuck)}")
        for op_id, (kind, age) in sorted(self.stuck.items())[:20]:
            print(f"  op {op_id} {kind}: {age:.0f} s without a final result")
        failed = bool(self.stuck) or duplicates > 0
        print("soak: FAILED" if failed else "soak: ok")
        return 1 if failed else 0


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("seconds", type=float)
    p.add_argument("--concurrency", type=int, default=8)
    p.add_argument("--fault-rate", type=float, default=0.05)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    rc = Soak(a.seconds, a.concurrency, a.fault_rate, a.seed).run()
    sys.stdout.flush()
    # With a stuck operation a library thread may never return: do not wait for it at exit.
    os._exit(rc)


if __name__ == "__main__":
    main()
