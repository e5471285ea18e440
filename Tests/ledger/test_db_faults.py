"""Database faults on a PostgreSQL ledger (docs/ledger.md, "Fail closed", "Wake-ups").

- The server stops mid-run: a new generate in a running process fails with LedgerError
  (KIE_E_LEDGER) and nothing reaches the simulator; a wait on a task submitted before keeps
  working (it reads kie, not the ledger); the server restarts on the same port and data
  directory: the same process generates again, without a restart of its own.
- The LISTEN connection is killed (pg_terminate_backend): the listener comes back (a new
  `kieimage-ledger-listen` backend appears), and a wait in process A, whose own polling is too
  slow to end it within the test, ends when process B records the task's end.
"""
import json

import pytest

from ledgerhelpers import Worker, client_options, new_key, pg_start, pg_stop, start_sim, wait_until, worker_env

FAST_POLL = {"initial_ms": 200, "max_ms": 500}


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_stopped_server_fails_generates_closed_and_a_restart_brings_them_back(db, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=4_000)
    a = None
    try:
        a = Worker(client_options(db.url, poll=FAST_POLL), worker_env(sim, key))
        before = a.call("generate", prompt="before the outage")
        assert before["ok"], before
        pg_stop(db.pg)

        during = a.call("generate", prompt="during the outage")
        assert not during["ok"]
        assert during["error"]["type"] == "LedgerError" and during["error"]["name"] == "LEDGER", during
        assert sim.stats()["generateAccepted"] == 1, "nothing is sent while the ledger is down"
        # A wait reads kie: it ends while the ledger is still down.
        waited = a.call("wait", task_id=before["task_id"], timeout=60)
        assert waited["ok"] and waited["status"] == "SUCCESS", waited
        again = a.call("generate", prompt="still down")
        assert not again["ok"] and again["error"]["name"] == "LEDGER", again

        pg_start(db.pg)
        after = a.call("generate", prompt="after the restart")
        assert after["ok"], after
        stats = sim.stats()
        assert stats["generateAccepted"] == 2 and stats["rejected429"] == 0
        prompts = sorted(json.loads(t["paramJson"])["prompt"] for t in sim.tasks())
        assert prompts == ["after the restart", "before the outage"]
        rows = dict(db.rows("SELECT task_id, state FROM kie_work"))
        assert set(rows) == {before["task_id"], after["task_id"]}, rows
        assert rows[after["task_id"]] == "submitted"
    finally:
        if a is not None:
            a.close()
        sim.stop()


def listeners(db):
    return {pid for (pid,) in db.rows("SELECT pid FROM pg_stat_activity WHERE application_name = 'kieimage-ledger-listen'"
                                      " AND query ILIKE 'LISTEN%'")}


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_a_killed_listen_connection_comes_back_and_still_ends_waits(db, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=15_000)
    a = b = None
    try:
        # A polls once, then not again for 10 minutes: only a wake-up can end its wait in time.
        a = Worker(client_options(db.url, poll={"initial_ms": 600_000, "max_ms": 600_000}), worker_env(sim, key))
        submitted = a.call("generate", prompt="wake me")
        assert submitted["ok"], submitted
        waiting = a.send("wait", task_id=submitted["task_id"], timeout=90)
        first = wait_until(lambda: listeners(db), timeout=30, what="A's LISTEN connection")
        assert len(first) == 1
        killed = db.rows(f"SELECT pg_terminate_backend({next(iter(first))})")
        assert killed == [("t",)]
        again = wait_until(lambda: listeners(db) - first, timeout=30, what="the LISTEN connection back")
        assert len(again) == 1 and sim.tasks()[0]["status"] != "SUCCESS", "the task is still running"

        # Process B waits for the same task, polling; its recorded end wakes A.
        b = Worker(client_options(db.url, poll=FAST_POLL), worker_env(sim, key))
        b_done = b.call("wait", task_id=submitted["task_id"], timeout=60)
        assert b_done["ok"] and b_done["status"] == "SUCCESS", b_done
        a_done = a.result(waiting, timeout=60)
        assert a_done["ok"] and a_done["status"] == "SUCCESS", a_done
        assert db.rows(f"SELECT state FROM kie_work WHERE task_id = '{submitted['task_id']}'") == [("succeeded",)]
    finally:
        for w in (a, b):
            if w is not None:
                w.close()
        sim.stop()
