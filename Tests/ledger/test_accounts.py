"""Two accounts (two API keys) in one ledger database (docs/ledger.md, "What is guaranteed"):
each has its own rate limit (both do 20 generates in one 10-s window: 40 in a window at the
simulator, 20 per key, no 429) and its own rows (each account's journal lists only its own
tasks), and neither API key is anywhere in the database: `sqlite3 .dump` / `pg_dump` (and the
SQLite files' raw bytes) contain neither. The keys are random; the tests never print them."""
import hashlib

import pytest

from ledgerhelpers import client_options, finish, journal, new_key, start_once, start_sim, worker_env

PER_ACCOUNT = 20


def key_id(key):
    return "key-" + hashlib.sha256(key.encode()).hexdigest()[:16]


@pytest.mark.parametrize("db", ["sqlite", "postgresql"], indirect=True)
def test_two_keys_are_two_accounts_with_own_limits_and_rows_and_no_key_stored(db, tmp_path):
    keys = [new_key(), new_key()]
    sim = start_sim(keys, generation_ms=3_600_000)
    try:
        options = client_options(db.url, 5_000)
        procs = [start_once(options, [{"op": "generate", "prompt": f"account {a} #{{i}}", "count": PER_ACCOUNT}],
                            worker_env(sim, k)) for a, k in enumerate(keys)]
        printed = []
        for code, lines, err in (finish(p, timeout=180) for p in procs):
            assert code == 0 and len(lines) == PER_ACCOUNT and all(x["ok"] for x in lines), f"{lines[-1:]} {err[-2000:]}"
            printed.append({x["task_id"] for x in lines})

        stats = sim.stats()
        assert stats["rejected429"] == 0 and stats["generateAccepted"] == 2 * PER_ACCOUNT
        for k in keys:
            mine = stats["byKey"][key_id(k)]
            assert mine["generates"] == PER_ACCOUNT and mine["rejected429"] == 0 and mine["maxInWindow"] == PER_ACCOUNT
        # Both accounts' 20 were admitted within one window: one shared limit would allow 20.
        assert stats["maxInWindow"] == 2 * PER_ACCOUNT
        by_key = {}
        for g in stats["generates"]:
            by_key.setdefault(g["key"], set()).add(g["taskId"])
        assert [by_key[key_id(k)] for k in keys] == printed

        # Separate rows: each account's journal (another process) lists its own tasks only.
        for k, own in zip(keys, printed):
            entries = journal(options, sim, k)
            assert {e["task_id"] for e in entries} == own and {e["state"] for e in entries} == {"submitted"}
        assert len(db.rows("SELECT DISTINCT account FROM kie_work")) == 2
        assert sorted(int(n) for (n,) in db.rows("SELECT admitted_total FROM kie_accounts")) == [PER_ACCOUNT] * 2

        # The keys are nowhere in the database.
        dump = db.dump()
        assert all(t in dump for t in printed[0] | printed[1]), "the dump holds the rows"
        leaked = [i for i, k in enumerate(keys) if k in dump]
        assert leaked == [], f"API key(s) {leaked} found in the dump"
        if db.engine == "sqlite":
            raw = b"".join(p.read_bytes() for p in tmp_path.glob("ledger.db*"))
            leaked = [i for i, k in enumerate(keys) if k.encode() in raw]
            assert leaked == [], f"API key(s) {leaked} found in the database files"
    finally:
        sim.stop()
