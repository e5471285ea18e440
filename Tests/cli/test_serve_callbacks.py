"""kie-image serve-callbacks: receives kie-sim's real callback, records it in the journal it
shares with a waiting process (the Python binding's callback_waiter.py, "callbacks": true), and
so ends that wait with its one confirming read as the task's only read (docs/webhooks.md)."""
import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request

from clihelpers import ROOT, kie_image

TESTS = os.path.join(ROOT, "bindings", "python", "tests")
sys.path.insert(0, TESTS)
from callback_waiter import declared_too_large  # noqa: E402 (shared with the Python receiver tests)

KEY = "whk-serve"
WAITER = os.path.join(TESTS, "callback_waiter.py")
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def reads(sim):
    counts = sim.stats()["requests"]
    return counts.get("record-info", 0) + counts.get("jobs-recordInfo", 0)


def post(url, body, headers):
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=30) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def test_serve_callbacks_ends_a_wait_in_another_process(sim, tmp_path):
    sim.configure(webhookKey=KEY, callbackRetries=0)
    journal = tmp_path / "tasks.jsonl"
    env = sim.env()
    env["KIE_WEBHOOK_KEY"] = KEY
    receiver = subprocess.Popen([kie_image(), "serve-callbacks", "--listen", "127.0.0.1:0", "--path", "/kie",
                                 "--journal", str(journal), *sim.args()],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = receiver.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), (line, receiver.stderr.read() if receiver.poll() else "")
        url = line.split(" ", 2)[2]
        assert url.endswith("/kie")
        before = reads(sim)
        waiter_env = dict(os.environ, KIE_API_KEY="sim-key", PYTHONPATH=os.path.join(ROOT, "bindings", "python"))
        waiter_env.setdefault("KIEIMAGE_LIB", os.path.join(ROOT, ".build", "debug", "libkieimage.so"))
        done = subprocess.run([sys.executable, WAITER, sim.url, sim.upload_url, str(journal), url],
                              env=waiter_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["status"] == "SUCCESS" and result["resultUrls"]
        assert reads(sim) == before + 1  # the receiver's confirming read; the waiter made none
        lines = [json.loads(l) for l in journal.read_text().splitlines()]
        ends = [l for l in lines if l.get("taskId") == result["taskId"] and l["state"] in ("succeeded", "failed")]
        assert len(ends) == 1 and ends[0]["record"]["taskId"] == result["taskId"]
        record = next(c for c in sim.admin("GET", "/_sim/callbacks")["callbacks"] if c["taskId"] == result["taskId"])
        assert record["statuses"] == [200]
        # The same callback again: 200 (a duplicate), nothing more recorded, no read.
        headers = {"X-Webhook-Timestamp": record["timestamp"], "X-Webhook-Signature": record["signature"]}
        assert post(url, record["body"].encode(), headers) == (200, {"code": 200, "msg": "success"})
        # Refusals: unsigned (401), wrong path (404), oversized (413); none reads kie.
        assert post(url, record["body"].encode(), {})[0] == 401
        assert post(url + "x", record["body"].encode(), headers)[0] == 404
        assert declared_too_large(url) == 413
        assert reads(sim) == before + 1
        assert len([l for l in journal.read_text().splitlines() if result["taskId"] in l and '"succeeded"' in l]) == 1
    finally:
        stop(receiver)


def test_serve_callbacks_on_a_ledger_ends_a_wait_in_another_process(sim, tmp_path):
    """The same through an SQLite ledger (docs/ledger.md): the receiver records the end in the
    account's row, which the waiting process re-reads; the callBackUrl carried kie_lid."""
    import sqlite3
    sim.configure(webhookKey=KEY, callbackRetries=0)
    ledger = f"sqlite:{tmp_path}/ledger.db"
    env = sim.env()
    env["KIE_WEBHOOK_KEY"] = KEY
    receiver = subprocess.Popen([kie_image(), "serve-callbacks", "--listen", "127.0.0.1:0", "--path", "/kie",
                                 "--ledger", ledger, *sim.args()],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = receiver.stdout.readline().strip()
        assert line.startswith("listening on http://127.0.0.1:"), (line, receiver.stderr.read() if receiver.poll() else "")
        url = line.split(" ", 2)[2]
        before = reads(sim)
        waiter_env = dict(os.environ, KIE_API_KEY="sim-key", PYTHONPATH=os.path.join(ROOT, "bindings", "python"))
        waiter_env.setdefault("KIEIMAGE_LIB", os.path.join(ROOT, ".build", "debug", "libkieimage.so"))
        done = subprocess.run([sys.executable, WAITER, sim.url, sim.upload_url, ledger, url],
                              env=waiter_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["status"] == "SUCCESS" and result["resultUrls"]
        assert reads(sim) == before + 1  # the receiver's confirming read; the waiter made none
        with sqlite3.connect(f"{tmp_path}/ledger.db") as conn:
            rows = conn.execute("SELECT id, state FROM kie_work WHERE task_id = ?", (result["taskId"],)).fetchall()
        assert len(rows) == 1 and rows[0][1] == "succeeded"
        record = next(c for c in sim.admin("GET", "/_sim/callbacks")["callbacks"] if c["taskId"] == result["taskId"])
        assert record["url"].endswith(f"/kie?kie_lid={rows[0][0]}") and record["statuses"] == [200]
    finally:
        stop(receiver)


def stop(receiver):
    """SIGTERM (the receiver's graceful stop), else SIGKILL after 15 s."""
    receiver.send_signal(signal.SIGTERM)
    try:
        receiver.wait(timeout=15)
    except subprocess.TimeoutExpired:
        receiver.kill()
        receiver.wait()
