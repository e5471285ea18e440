"""P8-P10: the shared ledger (docs/ledger.md) measured from Python processes; bench.py starts these.

  ledger_bench.py p8 BASE KEY START_AT SECONDS [LEDGER]
      one of P8's workers: from wall-clock START_AT (s) for SECONDS, generate() back to back, one
      at a time (submit only); a generate still waiting at the end is cancelled. Without LEDGER
      the client keeps today's per-process limiter (20 per 10 s). Prints one JSON object.
  ledger_bench.py p9 BASE KEY N OUTDIR
      P9: one process, one client per mode (nothing, file journal, SQLite ledger and, when
      $P9_PG_URL names one, PostgreSQL ledger); N rounds, each mode's generate() timed once per
      round in rotating order (a drifting load moves every mode alike). Prints one JSON object.
  ledger_bench.py p10 BASE KEY LEDGER LEASE_MS K
      one of P10's workers: K generates, prints {"pid", "taskIds"}, then waits for them while
      calling resume() every RESUME_EVERY_S (takes over dead owners' submitted tasks); runs until
      killed.

The API key comes as an argument from bench.py (a fresh canary key); it is never printed."""
import asyncio
import json
import os
import sys
import time

import kieimage

RESUME_EVERY_S = 0.25


def pct(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))] if s else float("nan")


# ------------------------------------------------------------------------------------------- P8

async def p8(base, key, start_at, seconds, ledger):
    options = dict(api_key=key, base_url=base)
    if ledger:
        options["ledger"] = ledger
    client = kieimage.Client(**options)
    counts = {"ok": 0, "rateLimited": 0, "cancelled": 0, "otherErrors": 0, "firstErrors": []}
    await asyncio.sleep(max(0.0, start_at - time.time()))
    deadline = start_at + seconds
    i = 0
    while True:
        left = deadline - time.time()
        if left <= 0:
            break
        i += 1
        try:
            await asyncio.wait_for(client.generate_async(prompt=f"p8 {os.getpid()} {i}", size="1:1"), timeout=left)
            counts["ok"] += 1
        except asyncio.TimeoutError:
            counts["cancelled"] += 1
            break
        except kieimage.RateLimitError:
            counts["rateLimited"] += 1
        except kieimage.KieError as e:
            counts["otherErrors"] += 1
            if len(counts["firstErrors"]) < 3:
                counts["firstErrors"].append(f"{type(e).__name__}: {str(e)[:200]}")
    client.close()
    print(json.dumps(dict(counts, pid=os.getpid(), attempts=i)), flush=True)


# ------------------------------------------------------------------------------------------- P9

def p9(base, key, n, outdir):
    # The limiter stays on in every mode (ledger: a token per generate, the real path), with a limit
    # that is never reached: 10 000 per 1 s, so the ledger holds only the last ~second's tokens.
    common = dict(api_key=key, base_url=base, rate_limit={"requests": 10000, "per_ms": 1000})
    tag = f"{os.getpid()}-{int(time.time())}"
    clients = {"none": kieimage.Client(**common),
               "journal": kieimage.Client(journal_path=os.path.join(outdir, f"p9-journal-{tag}.jsonl"), **common),
               "sqlite": kieimage.Client(ledger=f"sqlite:{os.path.join(outdir, f'p9-ledger-{tag}.db')}", **common)}
    pg = os.environ.get("P9_PG_URL")
    if pg:
        clients["postgresql"] = kieimage.Client(ledger=pg, **common)
    modes = list(clients)
    times = {m: [] for m in modes}
    for m in modes:  # warm-up: schema migration, first connection, lease
        for j in range(5):
            clients[m].generate(prompt=f"p9 warm {m} {j}", size="1:1")
    for i in range(n):
        order = modes[i % len(modes):] + modes[:i % len(modes)]
        for m in order:
            t0 = time.perf_counter()
            clients[m].generate(prompt=f"p9 {m} {i}", size="1:1")
            times[m].append((time.perf_counter() - t0) * 1000)
    for c in clients.values():
        c.close()
    for name in os.listdir(outdir):  # the journal and the SQLite ledger (WAL, shared memory)
        if name.startswith((f"p9-journal-{tag}.", f"p9-ledger-{tag}.")):
            os.remove(os.path.join(outdir, name))
    out = {m: {"n": len(v), "p50Ms": pct(v, 0.5), "p99Ms": pct(v, 0.99), "meanMs": sum(v) / len(v)} for m, v in times.items()}
    # Per round, the mode's time minus the same round's plain generate: the cost of the store alone.
    for m in modes[1:]:
        d = [a - b for a, b in zip(times[m], times["none"])]
        out[m]["overP50Ms"] = pct(d, 0.5)
        out[m]["overP99Ms"] = pct(d, 0.99)
    print(json.dumps(out), flush=True)


# ------------------------------------------------------------------------------------------ P10

async def p10(base, key, ledger, lease_ms, k):
    client = kieimage.Client(api_key=key, base_url=base, ledger=ledger, ledger_lease_ms=lease_ms)
    ids = []
    for i in range(k):
        ids.append((await client.generate_async(prompt=f"p10 {os.getpid()} {i}", size="1:1")).task_id)
    print(json.dumps({"pid": os.getpid(), "taskIds": ids}), flush=True)

    async def resumes():
        while True:
            try:
                await client.resume_async()
            except kieimage.KieError as e:
                print(json.dumps({"pid": os.getpid(), "resumeError": f"{type(e).__name__}: {str(e)[:200]}"}), flush=True)
            await asyncio.sleep(RESUME_EVERY_S)

    await asyncio.gather(resumes(), *(client.wait_async(t) for t in ids))


def main():
    mode, base, key = sys.argv[1:4]
    if mode == "p8":
        asyncio.run(p8(base, key, float(sys.argv[4]), float(sys.argv[5]), sys.argv[6] if len(sys.argv) > 6 else None))
    elif mode == "p9":
        p9(base, key, int(sys.argv[4]), sys.argv[5])
    elif mode == "p10":
        asyncio.run(p10(base, key, sys.argv[4], int(sys.argv[5]), int(sys.argv[6])))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
