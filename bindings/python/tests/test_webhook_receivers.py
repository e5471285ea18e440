"""asgi_app / wsgi_app in real servers (uvicorn, wsgiref): each receives kie-sim's real callback
and ends a wait in ANOTHER process (callback_waiter.py) through the shared journal file or an
SQLite ledger, with
the receiver's one confirming read as the only read of the task (docs/webhooks.md)."""

import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, make_server

import pytest

from callback_waiter import declared_too_large
from helpers import eventually
from kieimage.webhooks import asgi_app, wsgi_app

HERE = Path(__file__).resolve().parent
KEY = "whk-receivers"
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def reads(sim) -> int:
    counts = sim.stats()["requests"]
    return counts.get("record-info", 0) + counts.get("jobs-recordInfo", 0)


def journal_ends(journal: Path, task_id: str) -> int:
    return sum(1 for line in journal.read_text().splitlines()
               if task_id in line and json.loads(line).get("state") in ("succeeded", "failed"))


def run_waiter(sim, journal, callback_url: str) -> dict:
    env = dict(os.environ, KIE_API_KEY=sim.api_key, PYTHONPATH=str(HERE.parent))
    done = subprocess.run([sys.executable, str(HERE / "callback_waiter.py"), sim.base_url, sim.upload_url,
                           str(journal), callback_url], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def post(url: str, body: bytes, headers: dict) -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    try:
        with _opener.open(request, timeout=30) as answer:
            return answer.status
    except urllib.error.HTTPError as e:
        return e.code


def ledger_ends(db: Path, task_id: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM kie_work WHERE task_id = ? AND state IN ('succeeded', 'failed')",
                            (task_id,)).fetchone()[0]


def check_receiver(sim, client_factory, tmp_path: Path, serve, ledger: bool = False) -> None:
    """Starts a receiver with `serve(client) -> (url, stop)`, then a waiter in another process,
    sharing a journal file or (``ledger``) an SQLite ledger (docs/ledger.md)."""
    sim.config(webhookKey=KEY, callbackRetries=0)
    journal = tmp_path / ("ledger.db" if ledger else "tasks.jsonl")
    store = f"sqlite:{journal}" if ledger else str(journal)
    client = client_factory(webhook_key=KEY, **({"ledger": store} if ledger else {"journal_path": store}))
    ends = ledger_ends if ledger else journal_ends
    url, stop = serve(client)
    try:
        before = reads(sim)
        result = run_waiter(sim, store, url)
        assert result["status"] == "SUCCESS" and result["resultUrls"]
        # The receiver's confirming read only: the waiter (first safety-net read at 30 s) made none.
        assert reads(sim) == before + 1
        assert ends(journal, result["taskId"]) == 1
        record = next(c for c in sim.callbacks() if c["taskId"] == result["taskId"])
        assert record["state"] == "delivered" and record["statuses"] == [200]
        # Refusals: unsigned with a key set (401, no read), another path (404).
        body = record["body"].encode()
        assert post(url, body, {"Content-Type": "application/json"}) == 401
        assert post(url + "x", body, {}) == 404
        assert declared_too_large(url) == 413
        assert reads(sim) == before + 1
        assert ends(journal, result["taskId"]) == 1
    finally:
        stop()


def serve_asgi(client):
    """asgi_app(client, path="/kie") in uvicorn on a free port: (url, stop)."""
    uvicorn = pytest.importorskip("uvicorn")
    config = uvicorn.Config(asgi_app(client, path="/kie"), host="127.0.0.1", port=0, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    eventually(lambda: server.started, "uvicorn to start")
    port = server.servers[0].sockets[0].getsockname()[1]

    def stop():
        server.should_exit = True
        thread.join(10)
    return f"http://127.0.0.1:{port}/kie", stop


def test_asgi_app_in_uvicorn_ends_a_wait_in_another_process(sim, client_factory, tmp_path):
    check_receiver(sim, client_factory, tmp_path, serve_asgi)


def test_asgi_app_ends_a_wait_in_another_process_through_the_ledger(sim, client_factory, tmp_path):
    check_receiver(sim, client_factory, tmp_path, serve_asgi, ledger=True)


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


def serve_wsgi(client):
    """wsgi_app(client, path="/kie") in a wsgiref server on a free port: (url, stop)."""
    server = make_server("127.0.0.1", 0, wsgi_app(client, path="/kie"), handler_class=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop():
        server.shutdown()
        server.server_close()
        thread.join(10)
    return f"http://127.0.0.1:{server.server_port}/kie", stop


def test_wsgi_app_in_wsgiref_ends_a_wait_in_another_process(sim, client_factory, tmp_path):
    check_receiver(sim, client_factory, tmp_path, serve_wsgi)


def test_wsgi_app_ends_a_wait_in_another_process_through_the_ledger(sim, client_factory, tmp_path):
    check_receiver(sim, client_factory, tmp_path, serve_wsgi, ledger=True)


def test_deliver_webhook_answers_duplicates_and_unknown_ids(sim, client_factory, tmp_path):
    import kieimage
    sim.config(webhookKey=KEY, callbackRetries=0)
    client = client_factory(webhook_key=KEY, journal_path=str(tmp_path / "j.jsonl"))
    task = client.run(prompt="called back", size="1:1", callback_url=f"{sim.base_url}/_callback_sink")
    eventually(lambda: any(c["taskId"] == task.task_id and c["signature"] for c in sim.callbacks()), "the callback")
    record = next(c for c in sim.callbacks() if c["taskId"] == task.task_id)
    headers = {"X-Webhook-Timestamp": record["timestamp"], "X-Webhook-Signature": record["signature"]}
    first = client.deliver_webhook(headers, record["body"])
    again = client.deliver_webhook(list(headers.items()), record["body"].encode())
    assert first["taskId"] == again["taskId"] == task.task_id and first["task"]["status"] == "SUCCESS"
    assert again["duplicate"] is True
    # The library says what a receiver answers kie, delivered or refused.
    for said in (first, again):
        assert said["receiverAnswer"] == 200 and json.loads(said["receiverBody"]) == {"code": 200, "msg": "success"}
    with pytest.raises(kieimage.SignatureError) as refused:
        client.deliver_webhook({}, record["body"])
    assert refused.value.detail["receiverAnswer"] == 401
    assert json.loads(refused.value.detail["receiverBody"]) == {"code": 401, "msg": refused.value.detail["message"]}
    with pytest.raises(TypeError):
        client.deliver_webhook("not headers", record["body"])


@pytest.mark.parametrize("forge,forged_status", [("signature", 401), ("timestamp", 401), ("unsigned", 401),
                                                 ("unknownTask", 404)])
def test_each_simulated_callback_fault_gets_its_answer_and_records_once(sim, client_factory, tmp_path, forge,
                                                                        forged_status):
    """kie-sim sends a forged copy first, then the genuine callback and a duplicate of it, to a
    wsgiref receiver; each gets its documented answer and the end is recorded once."""
    sim.config(webhookKey=KEY, callbackRetries=0,
               callbackFaults=[{"action": {"forge": forge, "duplicates": 1}}])
    journal = tmp_path / "tasks.jsonl"
    client = client_factory(webhook_key=KEY, journal_path=str(journal), callbacks=True)
    url, stop = serve_wsgi(client)
    try:
        task = client.run(prompt="called back", size="1:1", callback_url=url)
        eventually(lambda: len([c for c in sim.callbacks() if c["statuses"]]) == 3, "three deliveries answered")
        records = sim.callbacks()
        forged = [c["statuses"] for c in records if c.get("forged") == forge]
        genuine = sorted((c["delivery"], c["statuses"]) for c in records if c.get("forged") is None)
        assert forged == [[forged_status]]
        assert genuine == [(0, [200]), (1, [200])]
        assert task.status == "SUCCESS"
        assert journal_ends(journal, task.task_id) == 1
    finally:
        stop()


def test_callbacks_out_of_order_each_end_their_own_wait(sim, client_factory, tmp_path):
    """kie-sim holds the first task's callback until the second's has gone out (reorder): both
    waits end through the receiver, each task read once (its confirming read), recorded once."""
    sim.config(webhookKey=KEY, callbackRetries=0, callbackFaults=[{"match": {"nth": 1}, "action": {"reorder": True}}])
    journal = tmp_path / "tasks.jsonl"
    client = client_factory(webhook_key=KEY, journal_path=str(journal), callbacks=True)
    url, stop = serve_wsgi(client)
    try:
        before = reads(sim)
        tasks = [client.generate(prompt=f"called back {i}", size="1:1", callback_url=url) for i in range(2)]
        done = [client.wait(t.task_id) for t in tasks]
        assert [d.status for d in done] == ["SUCCESS", "SUCCESS"]
        assert reads(sim) == before + 2
        assert [journal_ends(journal, t.task_id) for t in tasks] == [1, 1]
        assert {c["taskId"]: c["statuses"] for c in sim.callbacks()} == {t.task_id: [200] for t in tasks}
    finally:
        stop()
