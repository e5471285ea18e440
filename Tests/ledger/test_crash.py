"""A worker killed at every boundary of a generate on the shared ledger (docs/ledger.md,
"Crashes"): KIE_TEST_CRASH_AT=<boundary> makes it SIGKILL itself while running generate + wait +
download; once its lease has run out, another process runs `resume` with a download directory.
Shown for each boundary: the simulator created at most one task for the work (no duplicate
generate; none at all when the request never left), no task is lost (each task the simulator
created is in the ledger as submitted/finished, or an `unknown` row accounts for it), and every
task the dead worker left submitted or half-downloaded is waited for and downloaded by the other
process's resume. SQLite for all five boundaries, PostgreSQL for `answered` and `submitted`."""
import os
import time

import pytest

from ledgerhelpers import (FINISHED, client_options, finish, journal, new_key, run_once, start_once,
                          sim_tasks_by_prompt, start_sim, worker_env)

LEASE_MS = 5_000  # the shortest lease the library accepts (ledgerLeaseMs 5 000 - 300 000)
PROMPT = "crash work"

# What the dead worker's row becomes, and how many tasks the simulator holds for it.
EXPECTED = {
    "intent": ("abandoned", 0),      # never admitted: nothing sent
    "admitted": ("unknown", 0),      # admitted, killed before the request left
    "answered": ("unknown", 1),      # kie created the task, the id was never recorded
    "submitted": ("downloaded", 1),  # taken over, waited for and downloaded by resume
    "downloading": ("downloaded", 1),  # one of two files saved: resume downloads again
}

CASES = [pytest.param("sqlite", b, id=f"sqlite-{b}") for b in EXPECTED] + [
    pytest.param("postgresql", b, id=f"postgresql-{b}") for b in ("answered", "submitted")]


@pytest.mark.parametrize("db,boundary", CASES, indirect=["db"])
def test_a_worker_killed_at_a_boundary_loses_nothing_and_sends_nothing_twice(db, boundary, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=1500)
    try:
        options = client_options(db.url, LEASE_MS)
        if boundary == "intent":
            # Only 1 generate per 10 s for this account, and the filler took it: the crashing
            # worker's generate waits for admission, which is where it dies.
            options["rate_limit"] = {"requests": 1, "per_ms": 10_000}
            code, lines, err = run_once(options, [{"op": "run", "prompt": "filler", "out": str(tmp_path / "filler")}],
                                        worker_env(sim, key))
            assert code == 0 and lines[0]["ok"], err[-2000:]
        before = sim.stats()["generateAccepted"]

        # Two results per task, so a download can die between the first file and the second.
        crash = start_once(options, [{"op": "run", "prompt": PROMPT, "variants": 2, "out": str(tmp_path / "dead")}],
                           worker_env(sim, key, KIE_TEST_CRASH_AT=boundary))
        code, lines, err = finish(crash, timeout=120)
        assert code == -9, f"the worker was to kill itself at {boundary}: exit {code} {lines} {err[-2000:]}"
        if boundary == "downloading":
            saved = [f for f in os.listdir(tmp_path / "dead") if f.endswith(".png")]
            assert len(saved) == 1, "killed between the first file and the second"
        time.sleep((LEASE_MS + 1_500) / 1000)  # its lease (renewed at the latest when it died) is over

        out = tmp_path / "resumed"
        code, lines, err = run_once(client_options(db.url, LEASE_MS), [{"op": "resume", "out": str(out), "timeout": 120}],
                                    worker_env(sim, key))
        assert code == 0 and lines and lines[0]["ok"], f"{lines} {err[-2000:]}"
        resumed, unknown = lines[0]["resumed"], lines[0]["unknown"]

        state, tasks_for_work = EXPECTED[boundary]
        stats = sim.stats()
        by_prompt = sim_tasks_by_prompt(sim)
        work_tasks = by_prompt.get(PROMPT, [])
        # No duplicate generate: at most one task for the work, as many generates as tasks.
        assert len(work_tasks) == tasks_for_work, work_tasks
        assert stats["generateAccepted"] - before == len(work_tasks) <= 1
        assert stats["generateAccepted"] == len(sim.tasks()) and stats["rejected429"] == 0

        rows = journal(client_options(db.url, LEASE_MS), sim, key)
        work_rows = [r for r in rows if r["task_id"] not in by_prompt.get("filler", [])]
        assert len(work_rows) == 1, rows
        row = work_rows[0]
        assert row["state"] == state, (boundary, row)
        # No lost task: each task the simulator created is a submitted/finished row, or an
        # `unknown` row (no usable answer recorded) accounts for it.
        known = {r["task_id"] for r in rows if r["state"] in {"submitted"} | FINISHED}
        unknown_rows = [r for r in rows if r["state"] == "unknown"]
        lost = [t for ids in by_prompt.values() for t in ids if t not in known]
        assert len(lost) <= len(unknown_rows), (lost, rows)
        # Nothing is left submitted or succeeded-but-not-downloaded: resume finished it.
        assert not [r for r in rows if r["state"] in ("submitted", "succeeded", "sending", "intent")], rows
        if state == "unknown":
            assert row["id"] in [u["id"] for u in unknown], "resume reports the unknown row"
        if boundary in ("submitted", "downloading"):
            (task_id,) = work_tasks
            assert row["task_id"] == task_id
            mine = [r for r in resumed if r["task_id"] == task_id]
            assert len(mine) == 1 and mine[0]["error"] is None, resumed
            assert mine[0]["task"]["status"] == "SUCCESS" and len(mine[0]["downloads"]) == 2, mine
            assert sorted(f for f in os.listdir(out) if f.endswith(".png")) == [f"{task_id}_0.png", f"{task_id}_1.png"]
        else:
            assert resumed == [], resumed
    finally:
        sim.stop()
