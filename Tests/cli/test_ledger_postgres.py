"""`kie-image ledger` and `--ledger` on a real PostgreSQL server the test starts (docs/ledger.md):
migrate, the printed SQL applied by psql, status, and idempotency keys; the password never shown."""
import json

import pytest

from clihelpers import run
from pgcluster import PgCluster

TABLES = {"kie_schema_migrations", "kie_accounts", "kie_owners", "kie_work", "kie_tokens", "kie_uploads"}


@pytest.fixture(scope="module")
def pg():
    cluster = PgCluster()
    yield cluster
    cluster.destroy()


def tables(pg, database):
    return set(pg.psql("SELECT tablename FROM pg_tables WHERE tablename LIKE 'kie_%'", database).split())


def test_migrate_creates_the_schema_once_and_never_shows_the_password(pg):
    db = pg.create_database()
    r = run(["ledger", "migrate", "--ledger", pg.url(db), "--json"])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["engine"] == "postgresql" and out["applied"] == [1] and out["schemaVersion"] == 1
    assert out["ledger"] == pg.url(db, password=False)
    assert TABLES <= tables(pg, db)
    again = run(["ledger", "migrate", "--ledger", pg.url(db)])
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == f"{pg.url(db, password=False)}: schema version 1, nothing to apply"
    assert pg.password not in r.stdout + r.stderr + again.stdout + again.stderr


def test_the_printed_sql_applied_by_psql_is_a_migrated_ledger(pg):
    db = pg.create_database()
    sql = run(["ledger", "migrate", "--print-sql", "--ledger", pg.url(db)])
    assert sql.returncode == 0, sql.stderr
    pg.psql(sql.stdout, db)
    pg.psql(sql.stdout, db)  # safe to apply twice
    assert TABLES <= tables(pg, db)
    r = run(["ledger", "migrate", "--ledger", pg.url(db), "--json"])
    assert r.returncode == 0 and json.loads(r.stdout)["applied"] == [], r.stderr


def test_an_idempotency_key_sends_once_and_status_shows_the_row(tmp_path, sim, pg):
    db = pg.create_database()
    base = ["generate", "--prompt", "once on postgres", "--size", "1:1", "--ledger", pg.url(db),
            "--idempotency-key", "pg-order-1", "--no-wait", *sim.args()]
    ids = []
    for _ in range(2):
        r = run(base, env=sim.env())
        assert r.returncode == 0, r.stderr
        ids.append(r.stdout.strip())
    assert ids[0] == ids[1] and sim.stats()["generatesTotal"] == 1
    status = run(["ledger", "status", "--ledger", pg.url(db), "--json"], env=sim.env())
    assert status.returncode == 0, status.stderr
    s = json.loads(status.stdout)
    assert s["engine"] == "postgresql" and sum(s["rows"].values()) == 1 and s["rows"]["submitted"] == 1, s
    assert s["admittedTotal"] == 1 and pg.password not in status.stdout
    assert pg.psql("SELECT count(*) FROM kie_work WHERE idempotency_key = 'pg-order-1'", db).strip() == "1"
