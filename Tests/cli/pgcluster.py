"""A throw-away PostgreSQL cluster for the CLI tests (as Tests/KieImageTests/Ledger/PostgresHarness.swift):
initdb in a temp dir as the `postgres` user (the server refuses root), a free loopback port, a
password-protected user; stopped and removed by destroy(). Needs Debian's `postgresql` (make deps)."""
import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile


def pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    assert found, "PostgreSQL is not installed (make deps installs Debian's postgresql)"
    return os.path.dirname(found[-1])


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    user = "kie"

    def __init__(self):
        self.bin = pg_bin()
        self.password = "pw-" + secrets.token_hex(6)
        self.dir = tempfile.mkdtemp(prefix="kie-cli-pg-")
        self.port = free_port()
        with open(os.path.join(self.dir, "pw"), "w") as f:
            f.write(self.password)
        subprocess.run(["chown", "-R", "postgres:postgres", self.dir], check=True)
        self.as_postgres("initdb", "-D", f"{self.dir}/data", "-U", self.user, f"--pwfile={self.dir}/pw",
                         "-A", "scram-sha-256", "--no-sync", "-E", "UTF8")
        self.as_postgres("pg_ctl", "-D", f"{self.dir}/data", "-l", f"{self.dir}/log", "-w", "-t", "60", "start", "-o",
                         f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off")

    def as_postgres(self, tool, *args):
        # Output to a file, not a pipe: the server pg_ctl starts would hold a pipe open.
        with open(os.path.join(self.dir, "tool.out"), "w") as out:
            r = subprocess.run(["runuser", "-u", "postgres", "--", "env", "-C", self.dir, f"{self.bin}/{tool}", *args],
                               stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, timeout=120)
        assert r.returncode == 0, f"{tool} exited {r.returncode}: {open(os.path.join(self.dir, 'tool.out')).read()}"

    def url(self, database="postgres", password=True):
        secret = f":{self.password}" if password else ""
        return f"postgresql://{self.user}{secret}@127.0.0.1:{self.port}/{database}"

    def psql(self, sql, database="postgres"):
        """Runs SQL (one statement or a script) with psql as the test user; its unaligned output."""
        r = subprocess.run(["psql", "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", self.url(database), "-f", "-"],
                           input=sql, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        return r.stdout

    def create_database(self):
        name = "t_" + secrets.token_hex(4)
        self.psql(f"CREATE DATABASE {name}")
        return name

    def destroy(self):
        try:
            self.as_postgres("pg_ctl", "-D", f"{self.dir}/data", "-w", "-t", "60", "stop", "-m", "immediate")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
