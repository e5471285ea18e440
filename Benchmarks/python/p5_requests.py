"""P5 (baseline): the same flow as a user would write it with requests + ThreadPoolExecutor:
submit, then sleep/poll record-info until the task ends. 64 worker threads (one Session each),
1 s poll interval. Prints wall and CPU time."""
import json
import os
import resource
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

BASE, N = sys.argv[1], int(sys.argv[2])
WORKERS = int(sys.argv[3]) if len(sys.argv) > 3 else 64
POLL_S = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
HEADERS = {"Authorization": "Bearer " + os.environ["KIE_API_KEY"], "Content-Type": "application/json"}
local = threading.local()


def session():
    s = getattr(local, "s", None)
    if s is None:
        s = local.s = requests.Session()
        s.headers.update(HEADERS)
    return s


def run(i):
    s = session()
    r = s.post(BASE + "/api/v1/gpt4o-image/generate", json={"prompt": f"kie-bench batch {i}", "size": "1:1"}, timeout=30)
    body = r.json()
    if body.get("code") != 200:
        raise RuntimeError(f"generate: {body.get('code')} {body.get('msg')}")
    task_id = body["data"]["taskId"]
    while True:
        time.sleep(POLL_S)
        data = s.get(BASE + "/api/v1/gpt4o-image/record-info", params={"taskId": task_id}, timeout=30).json()["data"]
        if data["successFlag"] == 1:
            return data["response"]["resultUrls"]
        if data["successFlag"] != 0:
            raise RuntimeError(f"task {task_id} failed: {data.get('errorMessage')}")


def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


c0, t0 = cpu(), time.monotonic()
ok, errors = 0, []
with ThreadPoolExecutor(max_workers=WORKERS) as pool:
    for f in [pool.submit(run, i) for i in range(N)]:
        try:
            ok += bool(f.result())
        except Exception as e:  # noqa: BLE001 - counted and reported
            errors.append(repr(e)[:200])
wall, cpu_s = time.monotonic() - t0, cpu() - c0
print(json.dumps({"tasks": N, "ok": ok, "errors": len(errors), "firstErrors": errors[:3], "wallS": wall, "cpuS": cpu_s,
                  "workers": WORKERS, "pollS": POLL_S, "maxRssKB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
