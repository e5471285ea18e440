"""The shared ledger from the command line (docs/ledger.md, docs/cli.md): `kie-image ledger
migrate [--print-sql]`, `kie-image ledger status`, `--ledger` on the commands that open a client,
`--idempotency-key`, and exit 11 when the ledger is unreachable (nothing sent)."""
import json
import os
import re
import sqlite3

from clihelpers import ROOT, run

TABLES = {"kie_schema_migrations", "kie_accounts", "kie_owners", "kie_work", "kie_tokens", "kie_uploads", "kie_clock"}
UNREACHABLE = "postgresql://nobody:s3cret@127.0.0.1:1/x?connect_timeout=1"


def tables(path):
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def generated(sim):
    return sim.stats()["generatesTotal"]


def test_migrate_creates_the_schema_on_a_fresh_sqlite_file_once(tmp_path):
    db = tmp_path / "ledger.db"
    r = run(["ledger", "migrate", "--ledger", f"sqlite:{db}", "--json"])  # no API key needed
    assert r.returncode == 0, r.stderr
    first = json.loads(r.stdout)
    assert first["engine"] == "sqlite" and first["applied"] == [1] and first["schemaVersion"] == 1
    assert TABLES <= tables(db)
    with sqlite3.connect(db) as conn:
        assert [v for (v,) in conn.execute("SELECT version FROM kie_schema_migrations")] == [1]
    again = run(["ledger", "migrate", "--ledger", f"sqlite:{db}"])
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"sqlite:{db}: schema version 1, nothing to apply"


def test_print_sql_prints_the_schema_of_either_engine_without_connecting(tmp_path):
    sqlite_url = f"sqlite:{tmp_path}/never.db"
    lite = run(["ledger", "migrate", "--print-sql", "--ledger", sqlite_url])
    assert lite.returncode == 0, lite.stderr
    # KIE_LEDGER names the ledger when --ledger does not; nothing is connected, even unreachable.
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_")}
    pg = run(["ledger", "migrate", "--print-sql"], env={**env, "KIE_LEDGER": UNREACHABLE})
    assert pg.returncode == 0, pg.stderr
    for out in (lite.stdout, pg.stdout):
        assert "CREATE TABLE IF NOT EXISTS kie_work" in out and "CREATE TABLE IF NOT EXISTS kie_tokens" in out
        assert out.rstrip().endswith("COMMIT;")
    assert lite.stdout.startswith("BEGIN IMMEDIATE;") and "pg_advisory_xact_lock" in pg.stdout
    assert "clock_timestamp" in pg.stdout and "s3cret" not in pg.stdout + pg.stderr
    assert not os.path.exists(f"{tmp_path}/never.db")
    # What a DBA applies by hand is a schema the library accepts as migrated.
    applied = tmp_path / "by-hand.db"
    with sqlite3.connect(applied, isolation_level=None) as conn:
        conn.executescript(lite.stdout)
    assert TABLES <= tables(applied)
    r = run(["ledger", "migrate", "--ledger", f"sqlite:{applied}", "--json"])
    assert r.returncode == 0 and json.loads(r.stdout)["applied"] == [], r.stderr


def test_status_shows_the_accounts_rows_after_generates(tmp_path, sim):
    ledger = f"sqlite:{tmp_path}/ledger.db"
    for i in range(3):
        r = run(["generate", "--prompt", f"ledger {i}", "--size", "1:1", "--ledger", ledger,
                 "--out", str(tmp_path / "out"), "--quiet", *sim.args()], env=sim.env())
        assert r.returncode == 0, r.stderr
    assert generated(sim) == 3
    r = run(["ledger", "status", "--ledger", ledger, "--json"], env=sim.env())
    assert r.returncode == 0, r.stderr
    status = json.loads(r.stdout)
    assert sum(status["rows"].values()) == 3, status
    settled = {"submitted", "succeeded", "downloaded"}
    assert all(n == 0 for state, n in status["rows"].items() if state not in settled), status
    assert status["admittedTotal"] == 3 and status["limit"] == 20 and status["schemaVersion"] == 1
    assert all(re.fullmatch(r".+:\d+", o["label"]) for o in status["owners"]), status
    text = run(["ledger", "status", "--ledger", ledger], env=sim.env())
    assert text.returncode == 0, text.stderr
    rows_line = next(line for line in text.stdout.splitlines() if line.startswith("rows:"))
    assert sum(int(n) for n in re.findall(r"\b(\d+)\b", rows_line)) == 3, text.stdout
    # Another API key is another account: none of these rows are its.
    other = run(["ledger", "status", "--ledger", ledger, "--json"], env=sim.env(key="another-key"))
    assert other.returncode == 0, other.stderr
    assert sum(json.loads(other.stdout)["rows"].values()) == 0
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("ledger.db*"))
    assert b"sim-key" not in stored, "the API key is never in the ledger"


def test_the_same_idempotency_key_twice_sends_one_generate(tmp_path, sim):
    ledger = f"sqlite:{tmp_path}/ledger.db"
    base = ["generate", "--prompt", "once", "--size", "1:1", "--ledger", ledger, *sim.args()]
    first = run(base + ["--idempotency-key", "order-17", "--out", str(tmp_path / "a"), "--json"], env=sim.env())
    assert first.returncode == 0, first.stderr
    task_id = json.loads(first.stdout)["taskId"]
    second = run(base + ["--idempotency-key", "order-17", "--no-wait"], env=sim.env())
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == task_id
    assert generated(sim) == 1, "the second generate with the key sent nothing"
    third = run(base + ["--idempotency-key", "order-18", "--no-wait"], env=sim.env())
    assert third.returncode == 0, third.stderr
    assert third.stdout.strip() != task_id and generated(sim) == 2


def test_an_unreachable_ledger_exits_11_and_sends_nothing(tmp_path, sim):
    r = run(["generate", "--prompt", "x", "--size", "1:1", "--ledger", UNREACHABLE,
             "--out", str(tmp_path), *sim.args()], env=sim.env())
    assert r.returncode == 11, r.stderr
    assert "LEDGER" in r.stderr and "s3cret" not in r.stderr + r.stdout
    status = run(["ledger", "status", "--ledger", UNREACHABLE, "--json"], env=sim.env())
    assert status.returncode == 11, status.stderr
    assert json.loads(status.stdout)["error"]["name"] == "LEDGER"
    assert generated(sim) == 0


def test_ledger_with_journal_is_refused_as_a_usage_error(tmp_path, sim):
    lines = tmp_path / "p.jsonl"
    lines.write_text(json.dumps({"prompt": "x", "size": "1:1"}) + "\n")
    r = run(["batch", str(lines), "--out", str(tmp_path / "out"), "--journal", str(tmp_path / "j.jsonl"),
             "--ledger", f"sqlite:{tmp_path}/ledger.db", *sim.args()], env=sim.env())
    assert r.returncode == 2, r.stderr
    assert "INVALID_ARGUMENT" in r.stderr and "journalPath" in r.stderr
    assert generated(sim) == 0


def test_ledger_commands_need_a_ledger(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIE_")}
    for args in (["ledger", "migrate"], ["ledger", "migrate", "--print-sql"], ["ledger", "status", "--api-key", "k"]):
        r = run(args, env=env)
        assert r.returncode == 2 and "--ledger" in r.stderr, (args, r.stderr)
    r = run(["ledger", "migrate", "--ledger", "mysql://x"], env=env)
    assert r.returncode == 2 and "sqlite:PATH" in r.stderr, r.stderr


def test_exit_codes_in_help_and_docs_agree():
    r = run(["--help"])
    help_codes = re.findall(r"^\s+(\d+)\s+\S", r.stdout.split("EXIT CODES:")[1].split("USAGE:")[0], re.M)
    docs = open(os.path.join(ROOT, "docs", "cli.md")).read().split("## Exit codes")[1]
    doc_codes = re.findall(r"^\| (\d+) \|", docs, re.M)
    assert help_codes == doc_codes and "11" in doc_codes, (help_codes, doc_codes)
