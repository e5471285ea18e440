"""The shared rate limit holds across processes whose host clocks disagree (docs/ledger.md, "The
rate limit", "Time"): 8 worker processes on one account, each with its wall clock skewed by
KIE_TEST_CLOCK_SKEW_MS between -30 s and +30 s, submit 300 generates in all through one ledger
(SQLite, then PostgreSQL). At the simulator, which judges kie's 20-per-10-s limit where kie does,
no 10-s window holds more than 20, nothing is answered 429, and each of the 300 is admitted
exactly once."""
import pytest

from ledgerhelpers import client_options, finish, new_key, sim_tasks_by_prompt, start_once, start_sim, worker_env

WORKERS = 8
TOTAL = 300
WINDOW_MS, LIMIT = 10_000, 20
SKEWS = [round(-30_000 + i * 60_000 / (WORKERS - 1)) for i in range(WORKERS)]


def most_in_any_window(arrivals):
    """The most arrivals in any window (t - W, t], computed from the simulator's list."""
    ats = sorted(arrivals)
    best, lo = 0, 0
    for hi, t in enumerate(ats):
        while ats[lo] <= t - WINDOW_MS:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_eight_skewed_processes_keep_20_per_10s_at_the_server(db, tmp_path):
    key = new_key()
    sim = start_sim([key], generation_ms=3_600_000)  # submit only: the tasks never need to end
    try:
        shares = [TOTAL // WORKERS + (1 if w < TOTAL % WORKERS else 0) for w in range(WORKERS)]
        assert sum(shares) == TOTAL and -30_000 in SKEWS and 30_000 in SKEWS
        options = client_options(db.url)
        procs = [start_once(options, [{"op": "generate", "prompt": f"limit w{w} #{{i}}", "count": n}],
                            worker_env(sim, key, KIE_TEST_CLOCK_SKEW_MS=skew))
                 for w, (n, skew) in enumerate(zip(shares, SKEWS))]
        results = [finish(p, timeout=600) for p in procs]
        task_ids = []
        for w, (code, lines, err) in enumerate(results):
            assert code == 0, f"worker {w} (skew {SKEWS[w]} ms): {lines[-1:]} {err[-2000:]}"
            assert len(lines) == shares[w] and all(line["ok"] for line in lines), lines[-1:]
            task_ids += [line["task_id"] for line in lines]
        assert len(set(task_ids)) == TOTAL

        stats = sim.stats()
        assert stats["generateAccepted"] == TOTAL and stats["generatesTotal"] == TOTAL
        assert stats["rejected429"] == 0 and stats["generateRateLimited"] == 0, "kie answered 429"
        assert stats["windowMs"] == WINDOW_MS and stats["generateLimit"] == LIMIT
        assert stats["maxInWindow"] <= LIMIT, stats["maxInWindow"]
        arrivals = [g["at"] for g in stats["generates"]]
        assert len(arrivals) == TOTAL and most_in_any_window(arrivals) <= LIMIT
        # Each generate admitted exactly once: every prompt once, the ids the workers printed.
        prompts = sim_tasks_by_prompt(sim)
        expected = {f"limit w{w} #{i}" for w, n in enumerate(shares) for i in range(n)}
        assert set(prompts) == expected and all(len(ids) == 1 for ids in prompts.values())
        assert sorted(g["taskId"] for g in stats["generates"]) == sorted(task_ids)
        # The ledger holds the 300 as submitted rows with those ids, and counted 300 admissions.
        rows = db.rows("SELECT state, task_id FROM kie_work")
        assert len(rows) == TOTAL and {s for s, _ in rows} == {"submitted"}
        assert sorted(t for _, t in rows) == sorted(task_ids)
        assert db.rows("SELECT admitted_total FROM kie_accounts") == [(str(TOTAL),)]
    finally:
        sim.stop()
