"""`kie-image batch FILE --ledger URL` on several hosts at once (docs/ledger.md, "Batches on several
hosts"): the lines are split between the processes, each sent once, and a killed worker's lines are
taken over by the others; the summary of each is the whole file's, account-wide."""
import collections
import json
import signal
import sqlite3
import subprocess
import time

from clihelpers import kie_image, run
from test_batch import prompts_seen, write_batch


def start(requests, out, sim, ledger, *extra):
    argv = [kie_image(), "batch", str(requests), "--out", str(out), "--ledger", ledger, "--json", "--quiet",
            *sim.args(), *extra]
    return subprocess.Popen(argv, env=sim.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def lines_of(stdout):
    return {row["line"]: row for row in json.loads(stdout)["lines"]}


def rows_by_state(db):
    try:
        with sqlite3.connect(db, timeout=10) as conn:
            return collections.Counter(s for (s,) in conn.execute("SELECT state FROM kie_work"))
    except sqlite3.OperationalError:
        return collections.Counter()   # not created yet


def test_two_hosts_split_one_batch_and_send_each_line_once(tmp_path, sim):
    requests = tmp_path / "in.jsonl"
    write_batch(requests, 12)
    ledger = f"sqlite:{tmp_path}/ledger.db"
    procs = [start(requests, tmp_path / f"out-{i}", sim, ledger) for i in range(2)]
    outs = [p.communicate(timeout=170) for p in procs]
    for p, (stdout, stderr) in zip(procs, outs):
        assert p.returncode == 0, stderr
    assert sim.stats()["generatesTotal"] == 12
    assert sorted(prompts_seen(sim)) == sorted(f"batch item {i}" for i in range(1, 13)), "each line sent once"
    summaries = [lines_of(stdout) for stdout, _ in outs]
    for lines in summaries:
        assert sorted(lines) == list(range(2, 14)) and all(r["status"].startswith("DONE") for r in lines.values()), lines
    # Each line was run (waited for, downloaded) by exactly one of the two.
    ran_here = [{n for n, r in lines.items() if r["status"] == "DONE"} for lines in summaries]
    assert not ran_here[0] & ran_here[1] and len(ran_here[0] | ran_here[1]) == 12
    saved = list((tmp_path / "out-0").glob("*.png")) + list((tmp_path / "out-1").glob("*.png"))
    assert len({p.name.split("_")[0] for p in saved}) == 12


def test_a_killed_workers_lines_are_finished_by_another(tmp_path, sim):
    requests = tmp_path / "in.jsonl"
    write_batch(requests, 30)
    db = tmp_path / "ledger.db"
    ledger = f"sqlite:{db}"
    first = start(requests, tmp_path / "out-a", sim, ledger, "--ledger-lease-ms", "5000")
    # 20 submissions fill the rate window: kill the worker with tasks submitted and not finished.
    deadline = time.time() + 120
    while rows_by_state(db)["submitted"] < 5 and time.time() < deadline:
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.communicate()
    assert rows_by_state(db)["submitted"] >= 1
    second = start(requests, tmp_path / "out-b", sim, ledger, "--ledger-lease-ms", "5000")
    stdout, stderr = second.communicate(timeout=170)
    lines = lines_of(stdout)
    # A line the killed worker was sending when it died has an unknown outcome (never resent);
    # every other line is done, the killed worker's submitted ones by the second worker.
    statuses = collections.Counter(r["status"] for r in lines.values())
    assert set(statuses) <= {"DONE", "DONE (another host)", "UNKNOWN_OUTCOME"}, lines
    assert second.returncode in (0, 8), stderr
    seen = prompts_seen(sim)
    assert len(seen) == len(set(seen)), "no line was sent twice"
    assert sum(statuses.values()) == 30
    # The second worker finished everything the first left but unknown outcomes.
    assert len({p.name.split("_")[0] for p in (tmp_path / "out-b").glob("*.png")}) == statuses["DONE"]
    assert rows_by_state(db)["downloaded"] == statuses["DONE"] + statuses["DONE (another host)"]
    assert rows_by_state(db)["unknown"] == statuses["UNKNOWN_OUTCOME"]
