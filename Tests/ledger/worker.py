"""A worker process for the multi-process ledger tests: one kieimage.Client (Python binding over
libkieimage, KIEIMAGE_LIB) on a shared ledger, driven by JSON commands; every answer is one JSON
line on stdout. The API key and base URL come from KIE_API_KEY / KIE_BASE_URL (read by the
library), never from the command line, and are never printed.

    worker.py CLIENT_JSON once CMD_JSON [CMD_JSON ...]   # run the commands in order, then exit
    worker.py CLIENT_JSON serve                          # read commands from stdin, each in a thread

CLIENT_JSON: kieimage.Client keyword options ({"ledger": ..., "ledger_lease_ms": ...}).
Commands ({"op": ..., "id": optional tag echoed back}):
    generate  {"prompt", "count"=1, "size"="1:1", "variants", "idempotency_key", "stop_on_error"=true}
              one line per generate: {"ok": true, "task_id"} or {"ok": false, "error": {...}}
    run       {"prompt", "out", "size", "variants"}: generate + wait + download
    wait      {"task_id", "timeout"}
    resume    {"out", "timeout"}: resume(download_dir=out)
    journal   {}: every row of the account
    ping      {}: answers at once (the client exists)
    barrier   {"ready", "go"}: creates the file `ready`, then waits until the file `go` exists
"""
import json
import os
import sys
import threading
import time

import kieimage

_print_lock = threading.Lock()


def emit(obj):
    with _print_lock:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()


def error_of(e):
    if isinstance(e, kieimage.KieError):
        return {"type": type(e).__name__, "name": getattr(e, "name", None), "status": getattr(e, "status", None),
                "message": getattr(e, "message", None), "task_id": getattr(e, "task_id", None)}
    return {"type": type(e).__name__, "name": None, "status": None, "message": str(e), "task_id": None}


def task_json(t):
    return {"task_id": t.task_id, "status": t.status.name if t.status is not None else None,
            "result_urls": list(t.result_urls or ())}


def request_of(cmd):
    req = {"prompt": cmd["prompt"], "size": cmd.get("size", "1:1")}
    if cmd.get("variants"):
        req["variants"] = cmd["variants"]
    if cmd.get("idempotency_key"):
        req["idempotency_key"] = cmd["idempotency_key"]
    if cmd.get("tag"):
        req["tag"] = cmd["tag"]
    return req


def do(client, cmd, out):
    op = cmd["op"]
    base = {"op": op, **({"id": cmd["id"]} if "id" in cmd else {})}
    if op == "ping":
        out({**base, "ok": True, "pid": os.getpid()})
    elif op == "barrier":
        open(cmd["ready"], "w").close()
        while not os.path.exists(cmd["go"]):
            time.sleep(0.002)
    elif op == "generate":
        count = int(cmd.get("count", 1))
        for i in range(count):
            req = request_of({**cmd, "prompt": cmd["prompt"].replace("{i}", str(i))})
            try:
                t = client.generate(**req)
                out({**base, "ok": True, "n": i, "task_id": t.task_id})
            except Exception as e:  # noqa: BLE001 - reported to the test
                out({**base, "ok": False, "n": i, "error": error_of(e)})
                if cmd.get("stop_on_error", True):
                    return False
    elif op == "run":
        req = request_of(cmd)
        try:
            t = client.run(**req)
            files = client.download(t, cmd["out"])
            out({**base, "ok": True, **task_json(t), "files": [str(p) for p in files]})
        except Exception as e:  # noqa: BLE001
            out({**base, "ok": False, "error": error_of(e)})
            return False
    elif op == "wait":
        try:
            t = client.wait(cmd["task_id"], timeout=cmd.get("timeout"))
            out({**base, "ok": True, **task_json(t)})
        except Exception as e:  # noqa: BLE001
            out({**base, "ok": False, "error": error_of(e)})
            return False
    elif op == "resume":
        try:
            r = client.resume(timeout=cmd.get("timeout"), download_dir=cmd.get("out"))
        except Exception as e:  # noqa: BLE001
            out({**base, "ok": False, "error": error_of(e)})
            return False
        resumed = [{"id": w.id, "task_id": w.task_id, "task": task_json(w.task) if w.task else None,
                    "error": error_of(w.error) if w.error else None,
                    "downloads": [str(f.path) for f in (w.downloads or ())]} for w in r.resumed]
        out({**base, "ok": True, "resumed": resumed, "unknown": [{"id": u.id, "state": u.state} for u in r.unknown]})
    elif op == "journal":
        try:
            entries = client.journal()
        except Exception as e:  # noqa: BLE001
            out({**base, "ok": False, "error": error_of(e)})
            return False
        out({**base, "ok": True, "entries": [{"id": e.id, "state": e.state, "task_id": e.task_id, "tag": e.tag}
                                              for e in entries]})
    else:
        out({**base, "ok": False, "error": {"type": "BadCommand", "message": op}})
        return False
    return True


def main():
    options = json.loads(sys.argv[1])
    mode = sys.argv[2]
    client = kieimage.Client(**options)
    try:
        if mode == "once":
            for raw in sys.argv[3:]:
                if not do(client, json.loads(raw), emit):
                    sys.exit(1)
        elif mode == "serve":
            emit({"op": "ready", "ok": True, "pid": os.getpid()})
            threads = []
            for line in sys.stdin:
                line = line.strip()
                if not line:
                    continue
                cmd = json.loads(line)
                if cmd.get("op") == "exit":
                    break
                th = threading.Thread(target=do, args=(client, cmd, emit), daemon=True)
                th.start()
                threads.append(th)
            for th in threads:
                th.join()
        else:
            raise SystemExit(f"unknown mode {mode}")
    finally:
        client.close()


if __name__ == "__main__":
    main()
