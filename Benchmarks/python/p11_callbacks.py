"""P11: from a task's completion to its waiter seeing it, and calls to kie per task, for waits that
poll (the baseline), waits ended by a callback delivered in the same process (a), and waits ended
by a callback delivered in ANOTHER process through an SQLite ledger (b) (docs/webhooks.md).

  p11_callbacks.py MODE BASE UPLOAD KEY N [LEDGER]     MODE: poll | same | ledger
  p11_callbacks.py receiver BASE UPLOAD KEY LEDGER     (b)'s receiver: prints its URL, serves until killed

N tasks run at once (asyncio, one client); the latency of a task is the wall time its run returned
minus the simulator's completion time of it (/_sim/tasks `completeAtMs`; the same host's clock).
Prints one JSON object."""
import asyncio
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import kieimage
from kieimage.webhooks import wsgi_app

WEBHOOK_KEY = "p11-webhook-key"


class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class ThreadingServer(ThreadingMixIn, WSGIServer):
    """A thread per request, as a production WSGI server has workers: callbacks are not queued."""
    daemon_threads = True


def serve(client):
    server = make_server("127.0.0.1", 0, wsgi_app(client, path="/kie"), server_class=ThreadingServer, handler_class=Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/kie", server


def calls(base):
    with urllib.request.urlopen(base + "/_sim/stats", timeout=30) as r:
        counts = json.loads(r.read())["requests"]
    return sum(counts.get(k, 0) for k in ("generate", "record-info", "jobs-createTask", "jobs-recordInfo"))


async def run_all(client, n, callback_url):
    async def one(i):
        extra = {"callback_url": callback_url} if callback_url else {}
        task = await client.run_async(prompt=f"p11 task {i}", size="1:1", **extra)
        return task.task_id, time.time() * 1000
    return await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)


def completions(base):
    """taskId -> the simulator's completion time in ms (records round completeTime to seconds)."""
    with urllib.request.urlopen(base + "/_sim/tasks", timeout=30) as r:
        return {t["taskId"]: t["completeAtMs"] for t in json.loads(r.read())["tasks"] if t.get("completeAtMs")}


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


def main():
    mode, base, upload, key = sys.argv[1:5]
    common = dict(api_key=key, base_url=base, upload_base_url=upload, rate_limit={"requests": 0})
    if mode == "receiver":
        client = kieimage.Client(webhook_key=WEBHOOK_KEY, ledger=sys.argv[5], **common)
        url, _ = serve(client)
        print(url, flush=True)
        threading.Event().wait()
    n = int(sys.argv[5])
    receiver, callback_url = None, None
    if mode == "poll":
        client = kieimage.Client(**common)
    elif mode == "same":
        client = kieimage.Client(webhook_key=WEBHOOK_KEY, callbacks=True, **common)
        callback_url, _ = serve(client)
    else:
        ledger = sys.argv[6]
        receiver = subprocess.Popen([sys.executable, __file__, "receiver", base, upload, key, ledger],
                                    stdout=subprocess.PIPE, text=True, env=os.environ)
        callback_url = receiver.stdout.readline().strip()
        client = kieimage.Client(webhook_key=WEBHOOK_KEY, callbacks=True, ledger=ledger, **common)
    before = calls(base)
    t0 = time.monotonic()
    results = asyncio.run(run_all(client, n, callback_url))
    wall = time.monotonic() - t0
    after = calls(base)
    client.close()
    if receiver:
        receiver.kill()
        receiver.wait()
    done = completions(base)
    lat = [seen - done[tid] for r in results if isinstance(r, tuple) for tid, seen in [r] if tid in done]
    errors = [repr(r)[:200] for r in results if not isinstance(r, tuple)]
    print(json.dumps({"mode": mode, "tasks": n, "ok": len(lat), "errors": len(errors), "firstErrors": errors[:3],
                      "p50Ms": pct(lat, 0.5), "p99Ms": pct(lat, 0.99), "callsPerTask": (after - before) / max(1, n),
                      "wallS": wall}))


if __name__ == "__main__":
    main()
