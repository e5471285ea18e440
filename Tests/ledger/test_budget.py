"""One budget for the processes of an account (docs/inputs-proxies-budget.md, docs/ledger.md): two
worker processes on one ledger, each with `max_credits=30`, send 4o generates (6 credits each) at
the same time. Together they send exactly five: the budget is checked in the admission's
transaction against every process's spend, so neither can pass it by counting only its own.
The others fail with BudgetError before anything is sent."""
import os
import time

import pytest

from ledgerhelpers import client_options, finish, new_key, start_once, start_sim, wait_until, worker_env

BUDGET = 30      # credits
PRICE = 6        # a 4o generate with one variant
EACH = 5         # generates each process tries: alone it could afford all five


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_two_processes_share_one_budget(db, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=3_600_000)
    try:
        go = tmp_path / "go"
        options = client_options(db.url, 5_000, max_credits=BUDGET)
        procs = [start_once(options,
                            [{"op": "barrier", "ready": str(tmp_path / f"ready-{i}"), "go": str(go)},
                             {"op": "generate", "prompt": f"process {i} #{{i}}", "count": EACH, "stop_on_error": False}],
                            worker_env(sim, key))
                 for i in range(2)]
        wait_until(lambda: all(os.path.exists(tmp_path / f"ready-{i}") for i in range(2)), timeout=120,
                   what="both workers at the barrier")
        time.sleep(0.2)
        go.touch()
        sent, refused = 0, 0
        for code, lines, err in (finish(p, timeout=180) for p in procs):
            assert len(lines) == EACH, f"{lines} {err[-2000:]}"
            for line in lines:
                if line["ok"]:
                    sent += 1
                else:
                    assert line["error"]["type"] == "BudgetError", line
                    refused += 1
        assert sent == BUDGET // PRICE and refused == 2 * EACH - sent
        stats = sim.stats()
        assert stats["generateAccepted"] == sent and stats["rejected429"] == 0
        rows = db.rows("SELECT state FROM kie_work WHERE state = 'submitted'")
        assert len(rows) == sent
    finally:
        sim.stop()
