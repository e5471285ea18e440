"""Blocking calls stop at once on Ctrl-C or when on_progress raises, and so does the library's
work for them: no record-info for the task after that (kie_cancel on the underlying operation)."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import kieimage
from conftest import PACKAGE_ROOT
from helpers import eventually

POLL = {"initial_ms": 300, "max_ms": 300}
NEVER = "[sim:ms=600000]"  # a generation that outlasts every test


def record_info_hits(sim, task_id):
    return next(t for t in sim.tasks() if t["taskId"] == task_id)["hits"].get("record-info", 0)


def child_env(sim):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_")}
    env.update(KIE_API_KEY=sim.api_key, KIE_BASE_URL=sim.base_url, KIEIMAGE_LIB=kieimage.LIBRARY_PATH,
               PYTHONPATH=str(PACKAGE_ROOT))
    return env


CHILD = textwrap.dedent("""
    import signal, sys, time, kieimage
    signal.signal(signal.SIGINT, signal.default_int_handler)
    client = kieimage.Client(poll={"initial_ms": 300, "max_ms": 300})
    try:
        client.%s
        print("returned", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
        time.sleep(2.0)  # the client stays open: a poll still running would reach the simulator now
    print("done", flush=True)
""")


class Lines:
    """A child's stdout lines, read by a thread, so the test can wait for one with a bound."""

    def __init__(self, stream):
        self.lines = []
        self._t = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._t.start()

    def _read(self, stream):
        for line in stream:
            self.lines.append(line.strip())

    def wait_for(self, text, limit_s):
        eventually(lambda: text in self.lines, f"the child printed {text!r} (got {self.lines})", limit_s)


@pytest.mark.parametrize("call", [
    f'run(prompt="x {NEVER}", size="1:1", timeout=600)',
    f'wait(client.generate(prompt="x {NEVER}", size="1:1"), timeout=600, on_progress=print)',
])
def test_ctrl_c_interrupts_a_blocking_call_and_stops_its_polling(sim, tmp_path, call):
    child = subprocess.Popen([sys.executable, "-c", CHILD % call], env=child_env(sim), cwd=tmp_path,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out = Lines(child.stdout)
        # Blocked in the call, polling: the task exists and record-info has been asked twice.
        eventually(lambda: sim.tasks() and record_info_hits(sim, sim.tasks()[0]["taskId"]) >= 2,
                   "the child polls its task")
        task_id = sim.tasks()[0]["taskId"]
        child.send_signal(signal.SIGINT)
        # The old binding held SIGINT until the 600 s wait returned; 20 s only bounds the test.
        out.wait_for("interrupted", limit_s=20)
        time.sleep(0.3)  # a poll already on the wire when the signal came lands now
        before = record_info_hits(sim, task_id)
        assert child.wait(timeout=60) == 0, child.stderr.read()
        assert out.lines[-1] == "done" and "returned" not in out.lines
        assert record_info_hits(sim, task_id) == before, "no record-info after the KeyboardInterrupt"
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert sim.api_key not in child.stderr.read()


def test_an_exception_from_on_progress_ends_the_wait_and_its_polling(sim, client_factory):
    client = client_factory(poll=POLL)
    submitted = client.generate(prompt="x " + NEVER, size="1:1")
    calls = []

    class Stop(Exception):
        pass

    def on_progress(event):
        calls.append(event)
        raise Stop("enough")

    with pytest.raises(Stop, match="enough"):
        client.wait(submitted, timeout=600, on_progress=on_progress)
    assert len(calls) == 1
    time.sleep(0.3)  # settle a poll already on the wire
    before = record_info_hits(sim, submitted.task_id)
    time.sleep(1.5)  # five poll intervals of the cancelled wait
    assert record_info_hits(sim, submitted.task_id) == before
    from kieimage import _callbacks
    assert not _callbacks._registry or all(r.final for r in _callbacks._registry.values())


def test_closing_the_client_ends_a_blocking_wait_on_another_thread(sim, client_factory):
    client = client_factory(poll=POLL)
    submitted = client.generate(prompt="x " + NEVER, size="1:1")
    errors = []

    def waiter():
        try:
            client.wait(submitted, timeout=600)
        except BaseException as e:  # noqa: BLE001 - recorded for the assertion
            errors.append(e)

    t = threading.Thread(target=waiter)
    t.start()
    eventually(lambda: record_info_hits(sim, submitted.task_id) >= 1, "the wait polls")
    client.close()
    t.join(timeout=30)
    assert not t.is_alive(), "the wait ended when the client was closed"
    assert len(errors) == 1 and isinstance(errors[0], kieimage.CancelledError)
    assert client.closed


def test_threads_and_asyncio_share_one_client_while_blocking_calls_dispatch(sim, client):
    """One thread dispatches at a time; every event still reaches its own caller."""
    import asyncio

    results = []

    def blocking():
        results.append(client.run(prompt="thread", size="1:1"))

    threads = [threading.Thread(target=blocking) for _ in range(4)]
    for t in threads:
        t.start()

    async def both():
        return await asyncio.gather(*(client.run_async(prompt="loop", size="1:1") for _ in range(4)))

    done = asyncio.run(both())
    for t in threads:
        t.join(timeout=120)
    assert all(t.succeeded for t in done) and len(results) == 4 and all(t.succeeded for t in results)
