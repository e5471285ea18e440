"""Helpers for the multi-process ledger tests: worker processes (worker.py over the Python
binding), the simulator and PostgreSQL cluster of Tests/cli (imported, not copied), stopping and
restarting that cluster, and reading a ledger's rows from the test process (sqlite3 / psql).
API keys are random per test and never printed: nothing here puts one in a message."""
import json
import os
import queue
import secrets
import signal
import sqlite3
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "Tests", "cli"))

from clihelpers import Sim, kie_image  # noqa: E402
from pgcluster import PgCluster  # noqa: E402

WORKER = os.path.join(HERE, "worker.py")
FINISHED = {"succeeded", "failed", "downloaded"}


def library():
    path = os.environ.get("KIEIMAGE_LIB") or os.path.join(ROOT, ".build", "debug", "libkieimage.so")
    return path if os.path.isabs(path) else os.path.join(ROOT, path)


class Secret(str):
    """An API key: a str whose repr() hides it, so pytest's report of a failure (which shows the
    arguments of every frame) never prints it."""

    def __repr__(self):
        return "<api key>"


class HiddenEnv(dict):
    """A worker's environment (it holds KIE_API_KEY): repr() hides it, as Secret does."""

    def __repr__(self):
        return "<worker environment>"


def new_key():
    """A random API key (the tests check it is nowhere in a database dump)."""
    return Secret("kie-ledger-" + secrets.token_hex(12))


def start_sim(keys, generation_ms=1000, extra=()):
    """kie-sim accepting exactly `keys` (each 100000 credits)."""
    args = []
    for k in keys:
        args += ["--api-key", k]
    return Sim(generation_ms=generation_ms, extra=[*args, "--credits", "100000", *extra])


def worker_env(sim, key, **extra):
    env = HiddenEnv({k: v for k, v in os.environ.items() if not k.startswith("KIE_")})
    env.update({"KIE_API_KEY": key, "KIE_BASE_URL": sim.url, "KIEIMAGE_LIB": library(),
                "PYTHONPATH": os.path.join(ROOT, "bindings", "python"), "PYTHONUNBUFFERED": "1"})
    env.update({k: str(v) for k, v in extra.items()})
    return env


def client_options(ledger, lease_ms=None, **more):
    o = {"ledger": ledger, **more}
    if lease_ms is not None:
        o["ledger_lease_ms"] = lease_ms
    return o


def start_once(options, cmds, env):
    """A worker running `cmds` in order (worker.py once); stdout/stderr piped."""
    argv = [sys.executable, WORKER, json.dumps(options), "once", *[json.dumps(c) for c in cmds]]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def finish(proc, timeout=240):
    """(returncode, parsed stdout lines, stderr) of a worker started by start_once."""
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, [json.loads(line) for line in out.splitlines() if line.startswith("{")], err


def run_once(options, cmds, env, timeout=240):
    return finish(start_once(options, cmds, env), timeout)


class Worker:
    """A long-lived worker (worker.py serve): commands in on stdin, JSON answers out, each
    command in its own thread, matched by "id"."""

    def __init__(self, options, env):
        argv = [sys.executable, WORKER, json.dumps(options), "serve"]
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True, cwd=ROOT)
        self.lines = queue.Queue()
        self.stderr = []
        self._seen = {}
        self._n = 0
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=lambda: self.stderr.extend(self.proc.stderr), daemon=True).start()
        ready = self._next(60)
        assert ready.get("op") == "ready", ready
        self.pid = ready["pid"]

    def _read(self):
        for line in self.proc.stdout:
            if line.startswith("{"):
                self.lines.put(json.loads(line))
        self.lines.put(None)

    def _next(self, timeout):
        item = self.lines.get(timeout=timeout)
        assert item is not None, f"worker exited {self.proc.poll()}: {''.join(self.stderr)[-2000:]}"
        return item

    def send(self, op, **args):
        self._n += 1
        cid = f"c{self._n}"
        self.proc.stdin.write(json.dumps({"op": op, "id": cid, **args}) + "\n")
        self.proc.stdin.flush()
        return cid

    def result(self, cid, timeout=120):
        """The (last) answer of command `cid`."""
        deadline = time.monotonic() + timeout
        while cid not in self._seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no answer to {cid} within {timeout} s"
            try:
                item = self._next(left)
            except queue.Empty:
                continue
            self._seen[item.get("id")] = item
        return self._seen.pop(cid)

    def call(self, op, timeout=120, **args):
        return self.result(self.send(op, **args), timeout)

    def close(self):
        """Ends the worker (woken first if a test stopped it with SIGSTOP)."""
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGCONT)
            try:
                self.proc.stdin.write(json.dumps({"op": "exit"}) + "\n")
                self.proc.stdin.close()
                self.proc.wait(timeout=30)
            except Exception:  # noqa: BLE001 - a stopped or stuck worker
                self.proc.kill()
                self.proc.wait()


def wait_until(predicate, timeout=60, every=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


# -- PostgreSQL -------------------------------------------------------------------------------

def pg_stop(pg):
    pg.as_postgres("pg_ctl", "-D", f"{pg.dir}/data", "-w", "-t", "60", "stop", "-m", "fast")


def pg_start(pg):
    """Starts the cluster again on its port and data directory (as PgCluster's constructor does)."""
    pg.as_postgres("pg_ctl", "-D", f"{pg.dir}/data", "-l", f"{pg.dir}/log", "-w", "-t", "60", "start", "-o",
                   f"-p {pg.port} -k {pg.dir} -c listen_addresses=127.0.0.1 -c fsync=off")


def pg_dump(pg, database):
    r = subprocess.run([f"{pg.bin}/pg_dump", "--no-owner", "-d", pg.url(database)], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


class Db:
    """One ledger database for one test: `url` for the clients, `rows(sql)` from the test."""

    def __init__(self, engine, tmp_path):
        self.engine = engine
        self.pg = None
        if engine == "sqlite":
            self.path = str(tmp_path / "ledger.db")
            self.url = f"sqlite:{self.path}"
        else:
            self.pg = PgCluster()
            self.name = self.pg.create_database()
            self.url = self.pg.url(self.name)

    def rows(self, sql):
        """Rows of a query, as tuples of strings (None for NULL); [] before the schema exists."""
        if self.engine == "sqlite":
            if not os.path.exists(self.path):
                return []
            try:
                with sqlite3.connect(self.path, timeout=30) as conn:
                    return [tuple(None if v is None else str(v) for v in r) for r in conn.execute(sql)]
            except sqlite3.OperationalError as e:
                if "no such table" in str(e):
                    return []
                raise
        r = subprocess.run(["psql", "-X", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-d", self.pg.url(self.name),
                            "-c", sql], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            if "does not exist" in r.stderr:
                return []
            raise AssertionError(r.stderr)
        return [tuple(None if v == "" else v for v in line.split("\t")) for line in r.stdout.splitlines() if line]

    def dump(self):
        if self.engine == "sqlite":
            r = subprocess.run(["sqlite3", self.path, ".dump"], capture_output=True, text=True, timeout=60)
            assert r.returncode == 0, r.stderr
            return r.stdout
        return pg_dump(self.pg, self.name)

    def destroy(self):
        if self.pg is not None:
            self.pg.destroy()


def sim_tasks_by_prompt(sim):
    """{prompt: [taskId, ...]} of every task the simulator created."""
    out = {}
    for t in sim.tasks():
        prompt = json.loads(t["paramJson"])["prompt"] if t.get("paramJson") else None
        out.setdefault(prompt, []).append(t["taskId"])
    return out


def journal(options, sim, key, timeout=120):
    code, lines, err = run_once(options, [{"op": "journal"}], worker_env(sim, key), timeout)
    assert code == 0 and lines and lines[0]["ok"], err[-2000:]
    return lines[0]["entries"]
