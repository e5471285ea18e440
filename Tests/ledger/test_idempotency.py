"""Idempotency keys across processes (docs/ledger.md, "Idempotency keys"): 8 worker processes,
released at the same instant, each generate with the same idempotency key on one ledger (SQLite,
then PostgreSQL). The simulator sees exactly one generate, and all eight print its task id: one
process sent it, the other seven found the key's row and answered with it."""
import os
import time

import pytest

from ledgerhelpers import client_options, finish, new_key, start_once, start_sim, wait_until, worker_env

PROCESSES = 8


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_eight_processes_with_one_key_send_one_generate(db, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=3_600_000)
    try:
        # The generate takes half a second at the simulator: the others find the row `sending`.
        sim.configure(faults=[{"endpoint": "generate", "action": {"latencyMs": 500}}])
        go = tmp_path / "go"
        procs = [start_once(client_options(db.url, 5_000),
                            [{"op": "barrier", "ready": str(tmp_path / f"ready-{i}"), "go": str(go)},
                             {"op": "generate", "prompt": f"same order, process {i}", "idempotency_key": "order-4711"}],
                            worker_env(sim, key))
                 for i in range(PROCESSES)]
        wait_until(lambda: all(os.path.exists(tmp_path / f"ready-{i}") for i in range(PROCESSES)), timeout=120,
                   what="every worker at the barrier")
        time.sleep(0.2)  # every client made, every worker polling for the go file
        go.touch()
        results = [finish(p, timeout=120) for p in procs]
        printed = []
        for code, lines, err in results:
            assert code == 0 and len(lines) == 1 and lines[0]["ok"], f"{lines} {err[-2000:]}"
            printed.append(lines[0]["task_id"])
        stats = sim.stats()
        assert stats["generateAccepted"] == 1 and stats["generatesTotal"] == 1 and stats["rejected429"] == 0
        (task,) = sim.tasks()
        assert printed == [task["taskId"]] * PROCESSES
        rows = db.rows("SELECT state, task_id, idempotency_key FROM kie_work")
        assert rows == [("submitted", task["taskId"], "order-4711")]
    finally:
        sim.stop()
