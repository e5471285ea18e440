"""A paused owner (SIGSTOP) whose lease runs out sends nothing more when it wakes (docs/ledger.md,
"Submission under a lease", "Dead owners").

- Paused in the rate-limit wait (the account's window full, its row `intent` under its lease):
  another process with the same idempotency key takes the work over once the paused one's lease
  ended and sends it. Woken (SIGCONT), the paused process sends nothing: its generate answers
  with the other process's task id (the key's row is no longer its to send).
- Paused mid-send (its request reached the simulator, whose answer is held): another process's
  resume reaps the row to `unknown`. Woken, the paused process sends nothing more (no retry); the
  late answer settles the reaped row to `submitted` with the task id, so the task is not lost.
- Paused in the rate-limit wait without a key: its row is reaped to `abandoned`; woken, its
  generate ends with LEDGER, sending nothing.
"""
import json
import os
import signal
import time

import pytest

from ledgerhelpers import (Worker, client_options, new_key, run_once, start_sim, wait_until, worker_env)

LEASE_MS = 5_000  # the shortest lease the library accepts
KEY = "order-paused"


def row_state(db, sql):
    rows = db.rows(sql)
    return rows[0][0] if rows else None


def pause_in_the_rate_limit_wait(db, sim, key, options, **request):
    """Fills the account's 10-s window with 20 generates, starts a worker whose generate
    (`request`) then waits for admission with its row `intent`, SIGSTOPs it there and waits until
    its lease is over. Returns (worker, the generate's command id)."""
    code, lines, err = run_once(options, [{"op": "generate", "prompt": "filler #{i}", "count": 20}], worker_env(sim, key))
    assert code == 0 and len(lines) == 20, err[-2000:]
    paused = Worker(options, worker_env(sim, key))
    cid = paused.send("generate", prompt="from the paused process", **request)
    wait_until(lambda: row_state(db, "SELECT count(*) FROM kie_work WHERE state = 'intent'") == "1",
               timeout=30, what="the paused worker's row in intent")
    os.kill(paused.pid, signal.SIGSTOP)
    assert row_state(db, "SELECT count(*) FROM kie_work WHERE state = 'intent'") == "1", \
        "stopped while waiting for admission (the window is still full)"
    time.sleep((LEASE_MS + 1_500) / 1000)  # its lease is over
    return paused, cid


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_paused_in_the_rate_limit_wait_sends_nothing_after_its_lease(db, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=3_600_000)
    paused = None
    try:
        options = client_options(db.url, LEASE_MS)
        paused, cid = pause_in_the_rate_limit_wait(db, sim, key, options, idempotency_key=KEY)
        assert row_state(db, f"SELECT state FROM kie_work WHERE idempotency_key = '{KEY}'") == "intent"

        # Another process with the same key: it reaps the dead owner's row and sends the work.
        code, lines, err = run_once(options, [{"op": "generate", "prompt": "from the taker", "idempotency_key": KEY}],
                                    worker_env(sim, key), timeout=120)
        assert code == 0 and lines[0]["ok"], f"{lines} {err[-2000:]}"
        taken = lines[0]["task_id"]
        sent = sim.stats()["generateAccepted"]
        assert sent == 21

        os.kill(paused.pid, signal.SIGCONT)
        answer = paused.result(cid, timeout=120)
        # Woken after its lease: it sent nothing, and answers with the work's task.
        assert answer["ok"], answer
        assert answer["task_id"] == taken
        assert paused.call("ping")["ok"]
        stats = sim.stats()
        assert stats["generateAccepted"] == sent and stats["rejected429"] == 0
        prompts = [json.loads(t["paramJson"])["prompt"] for t in sim.tasks()]
        assert "from the taker" in prompts and "from the paused process" not in prompts
        assert db.rows(f"SELECT state, task_id FROM kie_work WHERE idempotency_key = '{KEY}'") == [("submitted", taken)]
    finally:
        if paused is not None:
            paused.close()
        sim.stop()


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_paused_without_a_key_ends_without_sending_once_its_row_was_abandoned(db, tmp_path):
    """Without a key nobody else can send the work, but the row read `abandoned` (nothing sent)
    while the process was stopped, and a person or program may have sent it again on that word:
    woken, the generate ends with LEDGER and sends nothing."""
    key = new_key()
    sim = start_sim([key], generation_ms=3_600_000)
    paused = None
    try:
        options = client_options(db.url, LEASE_MS)
        paused, cid = pause_in_the_rate_limit_wait(db, sim, key, options)
        code, lines, err = run_once(options, [{"op": "resume", "out": str(tmp_path / "r"), "timeout": 60}],
                                    worker_env(sim, key), timeout=120)
        assert code == 0 and lines[0]["ok"], f"{lines} {err[-2000:]}"
        assert row_state(db, "SELECT count(*) FROM kie_work WHERE state = 'abandoned'") == "1"

        os.kill(paused.pid, signal.SIGCONT)
        answer = paused.result(cid, timeout=120)
        assert not answer["ok"] and answer["error"]["type"] == "LedgerError", answer
        assert "lease ended" in answer["error"]["message"]
        stats = sim.stats()
        assert stats["generateAccepted"] == 20 and stats["rejected429"] == 0
        assert row_state(db, "SELECT count(*) FROM kie_work WHERE state = 'abandoned'") == "1"
    finally:
        if paused is not None:
            paused.close()
        sim.stop()


@pytest.mark.parametrize("db", ["sqlite"], indirect=True)
def test_paused_mid_send_sends_nothing_more_and_its_late_answer_is_not_lost(db, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=2_000)
    paused = None
    try:
        # The simulator creates the task at once and holds the answer for 12 s.
        sim.configure(faults=[{"endpoint": "generate", "match": {"nth": 1}, "action": {"hangMs": 12_000}}])
        options = client_options(db.url, LEASE_MS)
        paused = Worker(options, worker_env(sim, key))
        cid = paused.send("generate", prompt="held answer")
        wait_until(lambda: len(sim.tasks()) == 1, timeout=30, what="the request at the simulator")
        assert row_state(db, "SELECT state FROM kie_work") == "sending"
        os.kill(paused.pid, signal.SIGSTOP)
        time.sleep((LEASE_MS + 1_500) / 1000)

        # Another process's resume reaps the row: the send may have reached kie, so `unknown`.
        code, lines, err = run_once(options, [{"op": "resume", "out": str(tmp_path / "r"), "timeout": 60}],
                                    worker_env(sim, key))
        assert code == 0 and lines[0]["ok"], f"{lines} {err[-2000:]}"
        (row_id,) = [u["id"] for u in lines[0]["unknown"]]
        assert lines[0]["resumed"] == []
        assert db.rows("SELECT state FROM kie_work") == [("unknown",)]

        os.kill(paused.pid, signal.SIGCONT)
        answer = paused.result(cid, timeout=120)
        (task,) = sim.tasks()
        stats = sim.stats()
        assert stats["generateAccepted"] == 1 and stats["generatesTotal"] == 1, "nothing sent again"
        # The late answer is kie's task id: the reaped row is settled with it, nothing lost.
        assert answer["ok"] and answer["task_id"] == task["taskId"], answer
        assert db.rows("SELECT id, state, task_id FROM kie_work") == [(row_id, "submitted", task["taskId"])]
    finally:
        if paused is not None:
            paused.close()
        sim.stop()
