#!/usr/bin/env python3
"""`make bench` driver: runs P1..P6 against a release kie-sim on loopback, each figure next to its
baseline in the same run, prints the table and rewrites BENCHMARKS.md.

Inputs (set by Benchmarks/run.sh): release binaries in $BENCH_BIN (kie-sim, kie-bench), the shipped
library $KIEIMAGE_LIB (make lib), C programs in $BENCH_C (request_build, waits).
`--only P1,P1M,P4` runs a subset (names: P1 P1M P2 P2M P3 P4 P5 P6 P8 P9 P10 P11 SIZE) (BENCHMARKS.md is then not rewritten unless --write is given).
"""
import argparse
import datetime
import json
import math
import os
import platform
import re
import resource
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("BENCH_BIN", os.path.join(ROOT, ".build-lib/release"))
CBIN = os.environ.get("BENCH_C", os.path.join(ROOT, "build/bench"))
LIB = os.environ.get("KIEIMAGE_LIB") or os.path.realpath(os.path.join(ROOT, "build/lib/libkieimage.so.1"))
PY = sys.executable
# Per-task details (P2) land here for inspection.
OUT = os.path.join(ROOT, "build/bench")
# A canary key, fresh per run; it is handed to children through the environment and never printed.
KEY = "kie-canary-" + secrets.token_hex(12)
ENV = dict(os.environ, KIE_BENCH_KEY=KEY, KIE_API_KEY=KEY, KIEIMAGE_LIB=LIB,
           PYTHONPATH=os.path.join(ROOT, "bindings/python") + os.pathsep + os.environ.get("PYTHONPATH", ""))
ENV.pop("KIE_BASE_URL", None)

# Every measure's simulator settings start from this: no limit that could make the simulator the
# bottleneck (generate limit off, record-info per-task limit off, credits without end).
SIM_BASE = {"apiKeys": {KEY: 1e15}, "generateLimit": {"requests": 0, "perMs": 1000}, "recordInfoPerTaskPerSecond": 0}


def load():
    return open("/proc/loadavg").read().split()[0]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def scrub(text):
    return text.replace(KEY, "[KEY]")


def run(cmd, timeout=900, **kw):
    t0 = time.monotonic()
    p = subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout, **kw)
    if p.returncode != 0:
        raise RuntimeError(f"{os.path.basename(cmd[0])} failed ({p.returncode}): {scrub(p.stderr)[-2000:]}")
    return p.stdout, time.monotonic() - t0


def run_json(cmd, timeout=900):
    out, _ = run(cmd, timeout)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{cmd[0]} printed no JSON: {scrub(out)[-500:]}")
    return json.loads(lines[-1])


class Sim:
    """One release kie-sim process, reconfigured per measure through /_sim/config."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="kie-bench-")
        cfg = os.path.join(self.dir, "sim.json")
        with open(cfg, "w") as f:
            json.dump(SIM_BASE, f)
        self.out = open(os.path.join(self.dir, "sim.out"), "w+")
        self.proc = subprocess.Popen([os.path.join(BIN, "kie-sim"), "--config", cfg], stdout=self.out,
                                     stderr=subprocess.STDOUT, env=ENV)
        deadline = time.monotonic() + 30
        self.base = None
        while time.monotonic() < deadline and self.base is None:
            time.sleep(0.05)
            with open(self.out.name) as f:
                m = re.match(r"(http://127\.0\.0\.1:\d+)", f.readline())
                if m:
                    self.base = m.group(1)
            if self.proc.poll() is not None:
                break
        if self.base is None:
            raise RuntimeError("kie-sim did not start: " + open(self.out.name).read()[-1000:])

    def post(self, path, body, key=None):
        req = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
        if key:
            req.add_header("Authorization", "Bearer " + key)
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def get(self, path, key=None):
        req = urllib.request.Request(self.base + path)
        if key:
            req.add_header("Authorization", "Bearer " + key)
        with urllib.request.urlopen(req, timeout=60) as r:
            return json.loads(r.read())

    def configure(self, **settings):
        """Fresh state, then the base limits plus this measure's settings (replacing the rest)."""
        self.post("/_sim/reset", {})
        cfg = dict(SIM_BASE, port=0)
        cfg.update(settings)
        req = urllib.request.Request(self.base + "/_sim/config?replace=true", data=json.dumps(cfg).encode(), method="PUT",
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            r.read()
        # Reset again so the configured generation distribution's seed starts from its beginning.
        self.post("/_sim/reset", {})

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


ROWS = []
GROUP = [""]  # the --only name of the measure being run; each row records it (for --merge)
# Rows and raw results of the last run, for --merge (re-run some measures, keep the others' rows).
LAST_RUN = os.path.join(OUT, "last-run.json")

# What bounds each measure now (from callgrind/perf profiles; see BENCHMARKS.md "What limits each row").
LIMITS = {
    "P1, P1-market": ("callgrind of the release kie-bench against a loopback kie-sim, whole client process (event-loop threads "
           "included), instructions per read = difference of a 2 s and a 6 s run over the reads the simulator "
           "served: bare AHC 187k (4o) / 187k (Market); KieClient.task + task JSON 286k / 300-314k (1.53x / "
           "1.6-1.7x). This round: AsyncHTTPClient opens a no-op tracing span per request when no tracer is "
           "bootstrapped; the transport now sets its tracer to nil then (a bootstrapped one is kept), which took "
           "~35k from every read of ours (320k / 334k before; 353k / 379k before the raw copy; 412k / 439k before "
           "URLParts read bytes). The bare loop keeps the core's transport settings, so it skips the span too: "
           "~50k less (238k / 236k with AHC's default). Both sides got cheaper and the ratio fell: the same work "
           "of ours now stands against a cheaper transport. Measured and not taken: AHC's async API "
           "(HTTPClientRequest) in place of the delegate API: AHC ends its deadline at the response head, and the "
           "task that bounds the body by the call's deadline costs ~20k, all the async path saves (284k vs 286k; "
           "265k only with no bound on the body). What is left of the ~99k / ~115-128k extra per read: reading "
           "the answer ~20k / ~30k (JSONReader.string 7k / 12k: a Market record nests JSON in `param` and its "
           "`input`, three documents read per record), writing the fields ~8k, String and array allocation "
           "(malloc/free ~9k, retain/release ~8k), the delegate path's generic metadata and dynamic casts "
           "(RequestBag<Delegate>, ~9k), the per-call bookkeeping (TaskPacer, in-flight slots, the child task "
           "of each request, the key's origin check ~2k, the User-Agent and Accept headers AHC validates). No "
           "single item is large. The wall-clock ratio depends on the load: the simulator, answering the same "
           "requests in both modes, shares the 2 cores (so the ratio is above the instruction ratio); the row "
           "takes the median of 4 adjacent bare/client pairs in alternating order (see the notes for their "
           "spread). -Osize (see size) would cut this row further: kept -O. Measured again on 2026-11-30 after the "
           "lazy transport: 285k vs 183k per read (1.56x), unchanged. By function, the largest single item of the "
           "gap is not ours: AsyncHTTPClient's delegate API runs RequestBag<Delegate> and EventLoopFuture code "
           "unspecialized for our delegate type, so each read looks up generic metadata in the runtime's cache "
           "about 50 times (__swift_instantiateGenericMetadata 18k per read) where the bare async loop does "
           "about 20 (4.6k): ~13k of the ~100k. Only AHC's async API avoids it, and it needs the body bound "
           "described above."),
    "P2b, P2-market": (
        "both met when re-measured at load ~1.7 (p99 1,052 / 1,058 ms at 21.2 / 20.6 calls; a fixed poller needs "
        "23.0 / 22.8), as the machine-free model says (P2bm: p99 1,061 ms at 20.6 calls vs 22.1). In the full run, at "
        "load 7-8.5 on 2 cores, both missed (P2b p99 2,918 ms at 14.9 calls, fixed needs 9.0; P2-market p99 "
        "2,788 ms at 14.4 calls, fixed needs 9.8): our client, the 4 fixed pollers (~4,700 record-info/s together) "
        "and the simulator then share a saturated CPU and calls queue (the 0.5 s fixed poller's p99 was 0.9-1.1 s). "
        "The late ones were short tasks (7-12 s, 4-7 calls, delay up to 3.8 s) whose polls, behind the client's "
        "64-in-flight limit, answered seconds late. What bounds the rows is the schedule's dense window (1 s gap "
        "from 4.5 s, the prior's 0.3rd percentile): p99 ~= targetLatencyMs, at ~21 calls for tasks of 8-110 s."),
    "P3": ("heaptrack of kie-bench p3 at 3,000 waits (peak heap by allocating function), and each async "
           "function's frame size (its async function pointer's context size: Benchmarks/README.md says how to read "
           "it): a Swift task keeps every allocator slab its deepest call chain needed until the task ends, so a "
           "waiting task keeps the frames of everything it ever awaited. Generates and polls run in a child task "
           "(KieClient+ChildTask.swift) behind 64 slots each, so their deep frames are freed after each request. "
           "The callbacks and ledger work (#25, #26) had grown the sleeping chain to 30.1 KB per wait (peak heap: "
           "94 % task-allocator slabs): waitForEnd 6,160 bytes, sleepForNews 4,256, CallbackMailbox.sleep's closure "
           "3,328, each holding the inlined temporaries of work done before or after a sleep (finishing a task, "
           "building the schedules, the mailbox's dictionary work). Now the wait's state is one WaitLoop object, "
           "that work is out of line (@inline(never), sync), and the ended task travels boxed (Polled): waitForEnd "
           "352, sleepForNews 112, the mailbox's sleep 176 + 160, wait 624, run 752, waitAndDownload 704. What a "
           "sleeping C-ABI wait holds now: those frames, the operation's (Operations.start 1.0 KB, "
           "kie_generate_async's closures 1.7 KB), slab headers and rounding (a slab is at least 1 KB), the slabs "
           "the child poll's task object needed, and its operation record, closures and per-task entries. "
           "Threads (gdb and /proc/PID/task/*/comm at the peak): NIO's 2 event loops, libdispatch's workers for "
           "Swift's global executor (2, up to 4 under load), libdispatch's timer thread (1, for the waits' sleeps) "
           "and the client's callback thread (1, a NIOThreadPool of one). What still varies with load is "
           "libdispatch's worker count."),
    "P4": ("callgrind, instructions per kie_request_build (Benchmarks/c/p4_profile.c, difference of 1 and 1001 "
           "calls): plain request 22.6k (28.2k before the validator's blank-prompt check and the prompt's length "
           "limit stopped walking Characters for ASCII text, 25.0k before the request's keys were compared with a "
           "list of the known fields instead of hashed into a Set) vs jansson loads+dumps 41.4k (0.55x); files + mask + "
           "callback 108k vs 105k (1.03x; was 326k, 217k of it URLParts.init doing Character-level Substring work "
           "on the five URLs; it now reads UTF-8 bytes; each URL check is still ~15k). The Python row (python3 "
           "under callgrind, difference of 100 and 2100 calls): request_body 61k instructions (was 100k; 64k before the key list) = "
           "build_request and its keyword arguments 16k + JSON encode 17k (CPython's C encoder made once, "
           "kieimage/_json.py; json.dumps builds one per call: 24.5k) + the C call through ctypes ~32k (the "
           "library ~22k; a c_char_p passed by reference without a byref object) + no decode: when the library "
           "changed nothing, the body is the request just written (build_request writes 4o fields in the "
           "library's order and only plain values; a Market input is copied), which saves the 21k json.loads "
           "cost; when it changed something (a tag, a deprecated fileUrl, a str subclass in a Market input) "
           "the C scanner made once reads it (12.5k). Against jansson's 41k that is 1.5x in instructions and "
           "about 2x in time (the interpreter retires fewer instructions per ns than jansson's C): what is "
           "left is the interpreter's argument binding and dict work, and ctypes' own ~10k per call."),
    "P6": ("callgrind of python3 -c (with site, as the row runs), instructions, bytecode cached: pass 142.2M; "
           "import kieimage + Client() + close() +19.8M (+38.5M before four changes, +23.8M before the last): "
           "the release products link libstdc++ statically, so loading the library no longer loads and relocates "
           "libstdc++.so (dlopen 5.4M -> 2.0M; abi-check fails if libstdc++ is NEEDED again), and the transport "
           "makes AsyncHTTPClient's configurations with the clients on the first request (the configuration's "
           "tracer lookup scanned conformance records: Client() 1.42M -> 0.64M). Before: creating a client "
           "stopped starting AsyncHTTPClient or NIO's event loop threads, kie_client_free of a client that never "
           "called needs no Swift task, the check that skips AHC's no-op tracer is a cast instead of "
           "String(reflecting:) (4.5M), and the binding stopped importing json, re and enum: kieimage/_json.py "
           "drives the C module _json itself (-5.5M). What is left, measured in stages: ctypes and the other "
           "standard modules +7.6M, kieimage's own modules up to loading the library +5.4M (unmarshalling, the "
           "20 exception classes), loading it +2.5M (73,541 relative relocations and ~900 symbol ones, the Swift "
           "runtime's static initialisers 0.35M, the function table 0.4M), the rest of the import +1.8M, "
           "Client() 0.64M, and ~1.6M more at exit (finalising more objects). Wall time is what the shared "
           "machine makes of it: with +29M instructions the row gave +15.3, +9.4, +20.5 and +19.5 ms in four "
           "runs (pair differences q1-q3 spanning 5-27 ms), which is why it takes the median of 25 adjacent "
           "pairs in alternating order; the instruction count is the stable figure. The static libstdc++ alone: "
           "dlopen of the library 3.95 -> 2.00 ms (medians of 30 alternating runs, quiet machine)."),
    "P9": ("round trips. A generate with a ledger runs two transactions, the admission and the settle "
           "(docs/ledger.md, \"Cost\"): on PostgreSQL 9 and 6 round trips, each ~70 us on this loopback for a "
           "prepared statement (~85 us unprepared; a C loop of PQexecPrepared), so ~1 ms of the cost is the "
           "wire. Was +2.63 ms p50 (19 round trips, every statement parsed and planned again); now each "
           "connection prepares a statement once (PostgresConnection.rows), NOTIFY rides on the update that "
           "changes the row and the token's insert on the account's update (data-modifying CTEs), and the "
           "admission reads the cool-down from the account's lock instead of a second read. SQLite's statements "
           "are in-process calls: its cost is the transaction (BEGIN IMMEDIATE, the WAL commit). Measured and "
           "not taken: one server-side function for the whole admission (one round trip) would restate the "
           "admission's rules in PL/pgSQL beside the Swift that SQLite runs."),
    "size": ("release builds (lib, tools, bench: make release-flags) compile Swift with -internalize-at-link and "
           "-function-sections, and C and C++ with -ffunction-sections -fdata-sections, and link with gold "
           "--icf=safe. Swift marks public functions SHF_GNU_RETAIN, so --gc-sections kept every public function of "
           "every dependency (27.8 MiB before the Swift flags); SwiftPM compiles C and C++ targets with one .text "
           "section per file, so any use of a BoringSSL file kept all of it, in both copies (swift-crypto's and "
           "swift-nio-ssl's): 25.4 MiB before the C flags, 23.7 MiB (24.9 MB) after, 80 KB more since libstdc++ is linked statically "
           "(P6: 3.4M instructions and ~2 ms less at load; the margin to the goal is now ~18 KB, 4 KB of it taken since by the one-loop binding of calls with a body). Sections now: .text 14.7 MiB, "
           ".rodata 2.7, .eh_frame 2.5, .rela.dyn 1.7. What is left, by symbol bytes before this round (unstripped): "
           "C++ runtime 3.2 MiB, Swift stdlib 2.9, FoundationEssentials 2.4, NIOCore 0.75, AsyncHTTPClient 0.73, "
           "_FoundationCollections 0.67, _RegexParser 0.61, NIOHTTP2 0.60, NIOPosix 0.46, swift-algorithms 0.43, "
           "KieImage 0.37, Crypto 0.35, swift-configuration 0.31. Parts we never call (NIOHTTP2, "
           "swift-configuration, swift-algorithms, regex) stay because protocol conformance records are kept "
           "sections that reference their witness tables (AsyncHTTPClient 1.37 links them unconditionally). Measured "
           "and not taken: -Osize for everything (24.1 MiB before the C flags; P1 fell to 0.63x bare AHC); "
           "--icf=all (folds functions whose addresses C code may compare); lld with -z pack-relative-relocs (RELR, "
           "1.6 MiB less again, but needs glibc >= 2.36 at load time: today 2.35, Ubuntu 22.04, suffices)."),
}


def row(measure, figure, value, baseline, goal, met, note=""):
    ROWS.append({"measure": measure, "figure": figure, "value": value, "baseline": baseline, "goal": goal,
                 "met": met, "load": load(), "note": note, "group": GROUP[0],
                 "at": datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M")})
    mark = "n/a" if met is None else ("met" if met else "NOT MET")
    print(f"  {measure:<3} {figure:<44} {value:<22} | {baseline:<58} | goal {goal:<22} {mark}", flush=True)


def fmt(x, unit="", digits=0):
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    return f"{x:,.{digits}f}{unit}"


# ---------------------------------------------------------------------------------------------- P1

P1_TASKS = 20000
# Market tasks for P1-market: the client creates its own (so it knows their family); 10 000 keeps
# each task's reads >= 350 ms apart up to ~28 000 reads/s.
P1_MARKET_TASKS = 10000
MARKET_REQUEST = {"model": "gpt-image-2-text-to-image", "input": {"prompt": "kie-bench p1", "aspect_ratio": "16:9"}}


def p1(sim, family="4o", seconds=3, rounds=4):
    label = "P1" if family == "4o" else "P1-market"
    log(f"{label} record-info throughput, 64 in flight, {rounds} rounds x {seconds} s each (load {load()})")
    if family == "4o":
        sim.configure(generationMs=0, progressMode="steady")
        task_id = sim.post("/api/v1/gpt4o-image/generate", {"prompt": "kie-bench p1", "size": "1:1"}, KEY)["data"]["taskId"]
        time.sleep(0.2)
        url = f"{sim.base}/api/v1/gpt4o-image/record-info?taskId={task_id}"
        assert sim.get(url[len(sim.base):], KEY)["data"]["successFlag"] == 1
        n_tasks = P1_TASKS
    else:
        sim.configure(generationMs=0, marketGenerationMs=0, marketWaitingMs=0)
        task_id = sim.post("/api/v1/jobs/createTask", MARKET_REQUEST, KEY)["data"]["taskId"]
        time.sleep(0.2)
        url = f"{sim.base}/api/v1/jobs/recordInfo?taskId={task_id}"
        assert sim.get(url[len(sim.base):], KEY)["data"]["state"] == "success"
        n_tasks = P1_MARKET_TASKS
    # KieClient paces record-info to >= 350 ms per task (its TaskPacer, the API's 3/s per task), so
    # the Swift loops cycle over finished tasks; wrk keeps one URL (same answer size and path).
    ids_file = os.path.join(sim.dir, f"p1-{family}-ids.txt")
    made = run_json([os.path.join(BIN, "kie-bench"), "create", "--base", sim.base, "--family", family,
                     "--tasks", str(n_tasks), "--out", ids_file])
    assert made["created"] == n_tasks
    # Bare and client run in adjacent pairs, in alternating order, and the row's ratio is the median of
    # the pairs' ratios: on a shared 2-core machine the load drifts between runs, and a best-of per mode
    # compared runs taken under different load (bare alone swung 9.9k-16k/s from run to run).
    best_wrk = 0.0
    pairs = []
    errors = 0
    for k in range(rounds):
        out, _ = run(["wrk", "-t1", "-c64", f"-d{seconds}s", "-H", f"Authorization: Bearer {KEY}", url])
        m = re.search(r"Requests/sec:\s*([\d.]+)", out)
        non2xx = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
        if non2xx:
            errors += int(non2xx.group(1))
        best_wrk = max(best_wrk, float(m.group(1)))
        got = {}
        for mode in (("bare", "client") if k % 2 == 0 else ("client", "bare")):
            # Market client mode creates its --tasks through the KieClient (ids file unused).
            r = run_json([os.path.join(BIN, "kie-bench"), "p1", "--base", sim.base, "--family", family, "--ids", ids_file,
                          "--tasks", str(n_tasks), "--mode", mode, "--seconds", str(seconds), "--inflight", "64"])
            errors += r["errors"]
            got[mode] = r["rps"]
        pairs.append(got)
    wrk = best_wrk
    bare = statistics.median(p["bare"] for p in pairs)
    client = statistics.median(p["client"] for p in pairs)
    vs_bare = statistics.median(p["client"] / p["bare"] for p in pairs if p["bare"]) if any(p["bare"] for p in pairs) else float("nan")
    path = "record-info" if family == "4o" else "Market recordInfo"
    row(label, f"{path}/s, KieClient.task + task JSON",
        f"{fmt(client)}/s ({vs_bare:.2f}x bare AHC, {client / wrk:.2f}x wrk)",
        f"bare AsyncHTTPClient {fmt(bare)}/s ({bare / wrk:.2f}x wrk); wrk -t1 -c64 {fmt(wrk)}/s",
        ">= 0.85x bare AHC", vs_bare >= 0.85 and errors == 0,
        f"median of {rounds} bare/client pairs of {seconds} s runs, alternating order (pair ratios "
        + ", ".join(f"{p['client'] / p['bare']:.2f}" for p in pairs if p["bare"])
        + f"); wrk best of {rounds}; Swift loops cycle over {n_tasks} finished tasks; errors {errors}")
    best = {"wrk": wrk, "bare": bare, "client": client}
    return best


# ---------------------------------------------------------------------------------------------- P2

P2_DIST = {"kind": "lognormal", "medianMs": 20000, "p95Ms": 49000, "seed": 20250609}


def frontier_calls(fixed, p99):
    """Calls per task a fixed-interval poller would need for this p99: log-log interpolation between
    the measured fixed pollers (extrapolated along the nearest segment)."""
    pts = sorted((f["p99Ms"], f["callsPerTask"]) for f in fixed if f.get("n", 1) > 0)
    if len(pts) < 2:
        return float("nan")
    for i in range(len(pts) - 1):
        (x0, y0), (x1, y1) = pts[i], pts[i + 1]
        if p99 <= x1 or i == len(pts) - 2:
            t = (math.log(p99) - math.log(x0)) / (math.log(x1) - math.log(x0))
            return math.exp(math.log(y0) + t * (math.log(y1) - math.log(y0)))
    return float("nan")


def p2(sim, tasks=1000):
    results = {}
    for regime in ("steady", "jump"):
        log(f"P2 polling quality, {regime}: {tasks} tasks at real scale, all concurrent (load {load()})")
        sim.configure(generation=P2_DIST, progressMode=regime)
        r = run_json([os.path.join(BIN, "kie-bench"), "p2", "--base", sim.base, "--tasks", str(tasks),
                      "--intervals", "0.5,1,2,5", "--dump", os.path.join(OUT, f"p2-{regime}.csv")], timeout=900)
        results[regime] = r
        o, fixed = r["ours"], r["fixed"]
        d = r["durations"]
        base = "; ".join(f"{f['intervalS']:g} s: p50 {fmt(f['p50Ms'])}/p99 {fmt(f['p99Ms'])} ms, {f['callsPerTask']:.1f} calls"
                         for f in fixed)
        value = f"p50 {fmt(o['p50Ms'])} ms, p99 {fmt(o['p99Ms'])} ms, {o['callsPerTask']:.1f} calls/task"
        note = (f"durations p5/p50/p95 {d['p5Ms'] / 1000:.1f}/{d['p50Ms'] / 1000:.1f}/{d['p95Ms'] / 1000:.1f} s, "
                f"max {d['maxMs'] / 1000:.1f} s; wall {r['wallS']:.0f} s; errors {r['errors']}")
        if regime == "steady":
            met = o["p99Ms"] <= 1000 and o["callsPerTask"] <= 8 and r["errors"] == 0
            row("P2a", "steady progress: delay after completion", value, "fixed " + base, "p99 <= 1 s at <= 8 calls",
                met, note)
        else:
            fc = frontier_calls(fixed, o["p99Ms"])
            met = o["callsPerTask"] < fc and r["errors"] == 0
            row("P2b", "jump 0 -> 1: delay after completion", value,
                f"fixed {base}; fixed poller with our p99 needs {fc:.1f} calls",
                "fewer calls than fixed at same p99", met, note)
    # The same workload in virtual time (no HTTP, no machine noise): the core's PollSchedule alone
    # (Benchmarks/Sources/kie-bench/ScheduleModel.swift), beside fixed pollers.
    m = run_json([os.path.join(BIN, "kie-bench"), "p2model", "--base", "-", "--tasks", "100000"])
    results["model"] = m
    for regime, label in (("steady", "P2a"), ("jump", "P2b")):
        core = m[regime]["core"]
        fc_core = frontier_calls(m[regime]["fixed"], core["p99Ms"])
        row(label + "m", f"{regime}, model of 100k tasks in virtual time",
            f"core: p99 {fmt(core['p99Ms'])} ms, {core['callsPerTask']:.1f} calls",
            f"fixed poller at that p99: {fc_core:.1f} calls", "(diagnostic)", None,
            "createTime floored to seconds, progress truncated to 0.01, same log-normal; see ScheduleModel.swift")
    return results


# Market: the same log-normal generation times (marketGenerationMs unset: the simulator draws Market
# durations from `generation`), `waiting` for the first 2 s, then `generating`, then `success`; the
# record carries no progress number at all.
P2_MARKET_WAITING_MS = 2000


def p2_market(sim, tasks=1000):
    log(f"P2-market polling quality: {tasks} Market tasks at real scale, all concurrent (load {load()})")
    sim.configure(generation=P2_DIST, marketWaitingMs=P2_MARKET_WAITING_MS)
    r = run_json([os.path.join(BIN, "kie-bench"), "p2", "--base", sim.base, "--family", "market", "--tasks", str(tasks),
                  "--intervals", "0.5,1,2,5", "--dump", os.path.join(OUT, "p2-market.csv")], timeout=900)
    o, fixed = r["ours"], r["fixed"]
    d = r["durations"]
    base = "; ".join(f"{f['intervalS']:g} s: p50 {fmt(f['p50Ms'])}/p99 {fmt(f['p99Ms'])} ms, {f['callsPerTask']:.1f} calls"
                     for f in fixed)
    fc = frontier_calls(fixed, o["p99Ms"])
    row("P2-market", "waiting -> generating -> success, no progress: delay after completion",
        f"p50 {fmt(o['p50Ms'])} ms, p99 {fmt(o['p99Ms'])} ms, {o['callsPerTask']:.1f} calls/task",
        f"fixed {base}; fixed poller with our p99 needs {fc:.1f} calls",
        "fewer calls than fixed at same p99", o["callsPerTask"] < fc and r["errors"] == 0,
        f"marketWaitingMs {P2_MARKET_WAITING_MS}; durations p5/p50/p95 {d['p5Ms'] / 1000:.1f}/{d['p50Ms'] / 1000:.1f}/"
        f"{d['p95Ms'] / 1000:.1f} s, max {d['maxMs'] / 1000:.1f} s; wall {r['wallS']:.0f} s; errors {r['errors']}")
    return r


# ---------------------------------------------------------------------------------------------- P11

P11_DIST = {"kind": "lognormal", "medianMs": 3000, "p95Ms": 8000, "seed": 20261206}


def p11(sim, tasks=200):
    """Callbacks complete waits (docs/webhooks.md): completion -> the waiter sees it, and calls per task,
    for polling (the baseline, in the same run), a callback in the same process (a), and one delivered to
    another process through an SQLite ledger (b). Benchmarks/python/p11_callbacks.py."""
    info = json.loads(urllib.request.urlopen(sim.base + "/_sim/info", timeout=30).read())
    out = {}
    for mode in ("poll", "same", "ledger"):
        log(f"P11 {mode}: {tasks} tasks at once (load {load()})")
        sim.configure(generation=P11_DIST, webhookKey="p11-webhook-key", callbackRetries=0)
        extra = [f"sqlite:{os.path.join(OUT, 'p11-ledger-' + str(os.getpid()) + '.db')}"] if mode == "ledger" else []
        out[mode] = run_json([PY, os.path.join(ROOT, "Benchmarks/python/p11_callbacks.py"), mode, sim.base,
                              info["uploadBaseUrl"], KEY, str(tasks), *extra], timeout=600)
    poll = out["poll"]
    base = f"polling: p50 {fmt(poll['p50Ms'])}/p99 {fmt(poll['p99Ms'])} ms, {poll['callsPerTask']:.1f} calls/task"
    for mode, label, figure, goal_ms in (("same", "P11a", "callback, same process", 50),
                                         ("ledger", "P11b", "callback in another process, SQLite ledger", 250)):
        o = out[mode]
        met = o["p99Ms"] <= goal_ms and o["callsPerTask"] <= 2.0 and o["errors"] == 0
        row(label, f"{figure}: completion -> waiter", f"p50 {fmt(o['p50Ms'])} ms, p99 {fmt(o['p99Ms'])} ms, "
            f"{o['callsPerTask']:.2f} calls/task", base, f"p99 <= {goal_ms} ms, <= 2 calls", met,
            f"{o['ok']}/{o['tasks']} ok, errors {o['errors']}; durations log-normal median 3 s, p95 8 s; wall {o['wallS']:.0f} s")
    return out


# ---------------------------------------------------------------------------------------------- P8-P10

LEDGER_WORKER = os.path.join(ROOT, "Benchmarks/python/ledger_bench.py")
# kie's generate limit (docs/kie-api.md §7), which the simulator enforces per key in P8.
KIE_LIMIT = {"requests": 20, "perMs": 10000}


def pg_cluster():
    """A throw-away PostgreSQL cluster (Tests/cli/pgcluster.py), or (None, reason)."""
    sys.path.insert(0, os.path.join(ROOT, "Tests/cli"))
    try:
        from pgcluster import PgCluster  # noqa: PLC0415
        return PgCluster(), None
    except Exception as e:  # noqa: BLE001 - no PostgreSQL (or not root): the row says so
        return None, f"{type(e).__name__}: {str(e)[:200]}"
    finally:
        sys.path.pop(0)


def remove_db(path):
    """An SQLite ledger and its companions (WAL, shared memory, the P10 workers' stderr)."""
    for suffix in ("", "-wal", "-shm", "-journal", ".stderr"):
        try:
            os.remove(path + suffix)
        except FileNotFoundError:
            pass


def sends_per_window(ats, first_ms, end_ms, window_ms=10000):
    """Admitted generates in each whole window_ms from first_ms up to end_ms."""
    n = int((end_ms - first_ms) // window_ms)
    counts = [0] * n
    for a in ats:
        k = int((a - first_ms) // window_ms)
        if 0 <= k < n:
            counts[k] += 1
    return counts


def p8(sim, seconds=120, workers=8):
    """P8: 8 processes on one account for `seconds`, the simulator at kie's 20 per 10 s: 429s and
    sends per 10 s through an SQLite ledger, beside the same processes with today's per-process
    limiter (no ledger). Benchmarks/python/ledger_bench.py p8."""
    out = {}
    for mode in ("perProcess", "ledger"):
        log(f"P8 {mode}: {workers} processes x {seconds:g} s, simulator at 20 per 10 s (load {load()})")
        sim.configure(generateLimit=KIE_LIMIT, generationMs=20000)
        db = os.path.join(OUT, f"p8-ledger-{os.getpid()}-{int(time.time())}.db")
        extra = [f"sqlite:{db}"] if mode == "ledger" else []
        # A common start, late enough for every worker to have loaded the library.
        start_at = time.time() + 5
        procs = [subprocess.Popen([PY, LEDGER_WORKER, "p8", sim.base, KEY, f"{start_at:.3f}", str(seconds), *extra],
                                  env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(workers)]
        results = []
        for p in procs:
            stdout, stderr = p.communicate(timeout=seconds + 120)
            lines = [x for x in stdout.splitlines() if x.startswith("{")]
            if p.returncode != 0 or not lines:
                raise RuntimeError(f"P8 worker failed ({p.returncode}): {scrub(stderr)[-1500:]}")
            results.append(json.loads(lines[-1]))
        remove_db(db)
        st = sim.get("/_sim/stats")
        ats = sorted(g["at"] for g in st["generates"])
        counts = sends_per_window(ats, ats[0], (start_at + seconds) * 1000) if ats else []
        out[mode] = {"workers": results, "accepted": st["generateAccepted"], "rateLimited": st["generateRateLimited"],
                     "maxInWindow": st["maxInWindow"], "per10s": counts,
                     "meanPer10s": statistics.mean(counts) if counts else float("nan"),
                     "minPer10s": min(counts) if counts else float("nan"),
                     "clientErrors": sum(r["otherErrors"] for r in results),
                     "clientRateLimited": sum(r["rateLimited"] for r in results)}
    led, base = out["ledger"], out["perProcess"]

    def describe(o):
        per = [w["ok"] for w in o["workers"]]
        return (f"{o['rateLimited']:,} 429s, {o['meanPer10s']:.1f} sends/10 s (min {o['minPer10s']}), "
                f"max {o['maxInWindow']} in any 10 s, {min(per)}-{max(per)} per process")
    met = led["rateLimited"] == 0 and led["meanPer10s"] >= 19 and led["clientErrors"] == 0
    row("P8", f"{workers} processes, one account, SQLite ledger, {seconds:g} s: 429s, sends/10 s", describe(led),
        f"{workers} processes, per-process limiter (no ledger): {describe(base)}; {base['clientRateLimited']} "
        "generates raised RateLimitError", "0 429s, >= 19 of 20 per 10 s", met,
        f"sends = generates the simulator admitted (20 per 10 s per key, GET /_sim/stats), counted in whole 10 s windows "
        f"from the first; ledger windows {led['per10s']}, per-process windows {base['per10s']}; each worker generate()s "
        f"back to back, one at a time (generates per process: ledger {sorted(w['ok'] for w in led['workers'])}, per-process "
        f"{sorted(w['ok'] for w in base['workers'])}); client errors other than 429: ledger {led['clientErrors']}, per-process "
        f"{base['clientErrors']}")
    return out


def p9(sim, n=200):
    """P9: what a generate() costs with a ledger (SQLite, PostgreSQL) beside the file journal and
    nothing, the simulator answering at once and no limit reached. Benchmarks/python/ledger_bench.py p9."""
    log(f"P9 ledger cost per generate: {n} rounds (load {load()})")
    sim.configure(generationMs=20000)
    cluster, why = pg_cluster()
    try:
        if cluster:
            # The throw-away cluster's password travels in the environment, not argv.
            ENV["P9_PG_URL"] = cluster.url(cluster.create_database())
        r = run_json([PY, LEDGER_WORKER, "p9", sim.base, KEY, str(n), OUT], timeout=900)
    finally:
        ENV.pop("P9_PG_URL", None)
        if cluster:
            cluster.destroy()
    none, journal = r["none"], r["journal"]
    base = (f"file journal: +{journal['overP50Ms']:.2f} ms p50, +{journal['overP99Ms']:.2f} ms p99 "
            f"(generate {journal['p50Ms']:.2f}/{journal['p99Ms']:.2f} ms); neither: generate p50 {none['p50Ms']:.2f} ms, "
            f"p99 {none['p99Ms']:.2f} ms")
    for engine, label in (("sqlite", "SQLite"), ("postgresql", "PostgreSQL (loopback)")):
        o = r.get(engine)
        if o is None:
            row("P9", f"ledger cost per generate, {label}", "not measured", base, "<= 2 ms p50", None,
                f"no PostgreSQL cluster: {why}")
            continue
        row("P9", f"ledger cost per generate, {label}", f"+{o['overP50Ms']:.2f} ms p50, +{o['overP99Ms']:.2f} ms p99",
            base, "<= 2 ms p50", o["overP50Ms"] <= 2,
            f"cost = generate() with the ledger minus a plain generate() in the same round ({n} rounds, modes in rotating "
            f"order, one process, one client each; generate {o['p50Ms']:.2f}/{o['p99Ms']:.2f} ms p50/p99); submit only, "
            "the simulator answers at once, limits 10 000 per 1 s (a token per generate, never waited for)")
    return r


def p10(sim, lease_ms=30000, workers=8, kill=3, tasks_each=2):
    """P10: takeover. `workers` processes on an SQLite ledger, each with `tasks_each` submitted tasks it
    waits for while calling resume() every 0.25 s; SIGKILL `kill` of them; the time until each killed
    worker's task is read from kie again (the simulator's record-info hits), i.e. a survivor's resume
    took it over and waits for it. Benchmarks/python/ledger_bench.py p10."""
    import signal  # noqa: PLC0415
    import sqlite3  # noqa: PLC0415
    log(f"P10 takeover: {workers} workers, SIGKILL {kill}, lease {lease_ms} ms (load {load()})")
    # Tasks outlast the measure; the ledger's own limit (20 per 10 s) admits workers x tasks_each at once.
    sim.configure(generationMs=lease_ms + 120000)
    db = os.path.join(OUT, f"p10-ledger-{os.getpid()}-{int(time.time())}.db")
    # Workers' stderr to a file: a pipe nobody reads could fill and stall a worker.
    errs = open(db + ".stderr", "w+")
    procs = [subprocess.Popen([PY, LEDGER_WORKER, "p10", sim.base, KEY, f"sqlite:{db}", str(lease_ms), str(tasks_each)],
                              env=ENV, stdout=subprocess.PIPE, stderr=errs, text=True) for _ in range(workers)]
    try:
        owned = {}
        for p in procs:
            line = p.stdout.readline()
            if not line.startswith("{"):
                errs.flush()
                raise RuntimeError(f"P10 worker failed: {scrub(open(errs.name).read())[-1500:]}")
            owned[p.pid] = json.loads(line)["taskIds"]

        def hits():
            return {t["taskId"]: t["hits"].get("record-info", 0) for t in sim.get("/_sim/tasks")["tasks"]}
        deadline = time.monotonic() + 60
        while not all(hits().get(t, 0) > 0 for ids in owned.values() for t in ids):  # every wait under way
            if time.monotonic() > deadline:
                raise RuntimeError("P10: the workers' waits did not start")
            time.sleep(0.1)
        time.sleep(1)
        victims = procs[:kill]
        for p in victims:
            p.send_signal(signal.SIGKILL)
        t_kill = time.monotonic()
        for p in victims:
            p.wait()
        killed = {t: p.pid for p in victims for t in owned[p.pid]}
        # The ledger's clock on SQLite is CLOCK_MONOTONIC in ms (docs/ledger.md "Time"), Python's too.
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        leases = {}
        for label, expires in con.execute("SELECT label, lease_expires_ms FROM kie_owners"):
            pid = int(str(label).rsplit(":", 1)[-1]) if ":" in str(label) else None
            leases[pid] = expires
        con.close()
        lease_end_s = {p.pid: leases[p.pid] / 1000 - t_kill for p in victims if p.pid in leases}
        # Requests the dead workers had in flight are served within milliseconds; count hits after that.
        time.sleep(0.3)
        before = hits()
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        marks = ",".join("?" * len(killed))

        def owners_now():
            return dict(con.execute(f"SELECT task_id, owner FROM kie_work WHERE task_id IN ({marks})", list(killed)))
        dead_owner = owners_now()
        seen, moved = {}, {}
        limit = t_kill + lease_ms / 1000 * 2 + 30
        while (len(seen) < len(killed) or len(moved) < len(killed)) and time.monotonic() < limit:
            now_hits, now_owners = hits(), owners_now()
            t = time.monotonic()
            for task in killed:
                if task not in seen and now_hits.get(task, 0) > before.get(task, 0):
                    seen[task] = t - t_kill
                if task not in moved and now_owners.get(task) != dead_owner.get(task):
                    moved[task] = t - t_kill
            time.sleep(0.1)
        con.close()
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        owners = {tid: o for tid, o in con.execute("SELECT task_id, owner FROM kie_work WHERE task_id IS NOT NULL")}
        labels = dict(con.execute("SELECT owner, label FROM kie_owners"))
        con.close()
        survivors = {p.pid for p in procs[kill:]}
        taken = sum(1 for task in killed if str(labels.get(owners.get(task), "")).rsplit(":", 1)[-1] in {str(x) for x in survivors})
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        errs.close()
        remove_db(db)
    times = sorted(seen.values())
    lease_s = lease_ms / 1000
    worst = max(times) if len(times) == len(killed) else float("inf")
    ends = sorted(lease_end_s.values())
    after_lease = [seen[t] - lease_end_s[killed[t]] for t in seen if killed[t] in lease_end_s]
    value = (f"{worst:.1f} s worst, {statistics.median(times):.1f} s p50 (lease {lease_s:g} s)" if times else
             f"none of {len(killed)} taken over within {limit - t_kill:.0f} s (lease {lease_s:g} s)")
    row("P10", f"takeover: SIGKILL {kill} of {workers} workers -> tasks waited for again", value,
        f"the killed owners' leases ended {ends[0]:.1f}-{ends[-1]:.1f} s after the kill; without a ledger (file journal) "
        "only a restart of the same process resumes its tasks" if ends else "leases not found in kie_owners",
        "<= lease + 2 s", worst <= lease_s + 2,
        f"{len(seen)}/{len(killed)} killed tasks read again, {taken} owned by a survivor in kie_work afterwards; "
        + (f"taken over (kie_work.owner changed) {min(moved.values()):.2f}-{max(moved.values()):.2f} s after the kill; "
           if moved else "")
        + (f"read again {min(after_lease):.2f}-{max(after_lease):.2f} s after the owner's lease ended; " if after_lease else "")
        + f"SQLite ledger, ledgerLeaseMs {lease_ms}; survivors call resume() every 0.25 s beside their own waits; "
        "read again = the task's first record-info after the kill (GET /_sim/tasks every 0.1 s)")
    return {"leaseMs": lease_ms, "seenAfterKillS": seen, "takenOverAfterKillS": moved, "leaseEndAfterKillS": lease_end_s,
            "takenBySurvivors": taken,
            "killedTasks": len(killed)}


# ---------------------------------------------------------------------------------------------- P3

def p3(sim, tasks=10000):
    log(f"P3 {tasks} concurrent waits (load {load()})")
    sim.configure(generationMs=20000, progressMode="steady")
    c = run_json([os.path.join(CBIN, "waits"), sim.base, str(tasks)], timeout=600)
    lib_threads = c["peakThreads"] - c["hostThreads"]
    rss_mb = c["peakRssKB"] / 1024
    note = (f"C ABI (libkieimage.so release, delivery thread): {c['done']} done, {c['failed']} failed, "
            f"peak {c['peakConcurrentWaits']} waiting at once, wall {c['wallS']:.0f} s")
    sim.configure(generationMs=20000, progressMode="steady")
    s = run_json([os.path.join(BIN, "kie-bench"), "p3", "--base", sim.base, "--tasks", str(tasks)], timeout=600)
    per_wait_kb = (c["peakRssKB"] - c.get("idleClientRssKB", 0)) / max(tasks, 1)
    row("P3", f"{tasks} concurrent waits via C ABI: threads, memory per wait",
        f"{lib_threads} threads, {per_wait_kb:.1f} KB/wait (peak RSS {rss_mb:.0f} MB)",
        f"idle client RSS {c.get('idleClientRssKB', 0) / 1024:.0f} MB; Swift core (KieClient.wait) in kie-bench: "
        f"{s['peakThreads']} threads, {s['peakRssKB'] / 1024:.0f} MB",
        "<= 8 threads, <= 15 KB/wait", lib_threads <= 8 and per_wait_kb <= 15 and c["failed"] == 0,
        note + "; KB/wait = (peak RSS - RSS of the idle client after one call) / waits")
    return {"c": c, "swift": s}


# ---------------------------------------------------------------------------------------------- P4

def p4():
    log(f"P4 request build overhead (load {load()})")
    # C and Python in adjacent pairs, alternating which runs first; each ratio is the median of the
    # pairs' ratios (as P1): a shared machine's slow spells (a neighbour's load) would otherwise land on
    # one side of a cross-process ratio only. The C ratios are within one process.
    rounds = []
    for k in range(5):
        c_cmd = [os.path.join(CBIN, "request_build"), "100000"]
        py_cmd = [PY, os.path.join(ROOT, "Benchmarks/python/p4_request.py"), "5000"]
        if k % 2 == 0:
            c_run = run_json(c_cmd)
            py_run = run_json(py_cmd)
        else:
            py_run = run_json(py_cmd)
            c_run = run_json(c_cmd)
        rounds.append((c_run, py_run))
    med = statistics.median
    c = {k: med(r[0][k] for r in rounds) for k in rounds[0][0] if k.endswith(("bestNs", "BestNs"))}
    py = {k: med(r[1][k] for r in rounds) for k in rounds[0][1]}
    c_ratio = med(r[0]["bestNs"] / r[0]["janssonBestNs"] for r in rounds)
    f_ratio = med(r[0]["filesBestNs"] / r[0]["filesJanssonBestNs"] for r in rounds)
    py_ratios = [r[1]["bindingUs"] * 1000 / r[0]["janssonBestNs"] for r in rounds]
    py_ratio = med(py_ratios)
    c_us, j_us = c["bestNs"] / 1000, c["janssonBestNs"] / 1000
    f_us, fj_us = c["filesBestNs"] / 1000, c["filesJanssonBestNs"] / 1000
    row("P4", "kie_request_build from C", f"{c_us:.2f} us/call ({c_ratio:.2f}x jansson)",
        f"jansson json_loads + json_dumps {j_us:.2f} us; json.dumps + jsonschema (compiled) {py['jsonschemaCompiledUs']:.1f} us",
        "<= 1.5x jansson", c_ratio <= 1.5)
    row("P4", "kie_request_build, files + mask + callback", f"{f_us:.2f} us/call ({f_ratio:.2f}x jansson)",
        f"jansson json_loads + json_dumps {fj_us:.2f} us", "<= 1.5x jansson", f_ratio <= 1.5)
    row("P4", "kieimage.request_body (Python binding)",
        f"{py['bindingUs']:.1f} us/call ({py_ratio:.1f}x jansson; raw ctypes {py['ctypesUs']:.1f} us)",
        f"jansson loads + dumps (C) {j_us:.2f} us; json.dumps + jsonschema (compiled) {py['jsonschemaCompiledUs']:.1f} us; "
        f"jsonschema.validate {py['jsonschemaValidateUs']:.0f} us",
        "<= 2x jansson", py_ratio <= 2,
        "medians of 5 adjacent C/Python pairs, alternating order; the Python ratio per pair: "
        + ", ".join(f"{x:.2f}" for x in py_ratios))
    return {"c": c, "python": py}


# ---------------------------------------------------------------------------------------------- P5

P5_GENERATION_MS = 3000


def p5(sim, tasks=1000):
    log(f"P5 Python batch of {tasks} (load {load()})")
    sim.configure(generationMs=P5_GENERATION_MS, progressMode="steady")
    ours = run_json([PY, os.path.join(ROOT, "Benchmarks/python/p5_kieimage.py"), sim.base, str(tasks)])
    sim.configure(generationMs=P5_GENERATION_MS, progressMode="steady")
    base = run_json([PY, os.path.join(ROOT, "Benchmarks/python/p5_requests.py"), sim.base, str(tasks), "64", "1.0"])
    speed = base["wallS"] / ours["wallS"]
    cpu = ours["cpuS"] / base["cpuS"]
    row("P5", f"{tasks} tasks, binding asyncio: wall, CPU",
        f"{ours['wallS']:.1f} s, {ours['cpuS']:.1f} s CPU ({speed:.1f}x thrpt, {cpu:.2f}x CPU)",
        f"requests + ThreadPoolExecutor(64), 1 s polls: {base['wallS']:.1f} s, {base['cpuS']:.1f} s CPU",
        ">= 3x thrpt at <= 1/4 CPU", speed >= 3 and cpu <= 0.25 and ours["errors"] == 0 and base["errors"] == 0,
        f"generation {P5_GENERATION_MS} ms fixed; errors ours {ours['errors']}, baseline {base['errors']}")
    return {"ours": ours, "baseline": base}


# ---------------------------------------------------------------------------------------------- P6

def p6(n=25):
    log(f"P6 start-up (load {load()})")

    # An installed package has its bytecode compiled (pip writes __pycache__); a source checkout run
    # with PYTHONDONTWRITEBYTECODE=1 (set on this machine) compiles kieimage's ~90 KB of source on
    # every start-up instead (~140M instructions, callgrind). Time it as installed: bytecode cached
    # under a temporary PYTHONPYCACHEPREFIX (the checkout stays clean), warmed by one run.
    pyc = tempfile.mkdtemp(prefix="kie-bench-pyc-")
    env = dict(ENV, PYTHONPYCACHEPREFIX=pyc)
    env.pop("PYTHONDONTWRITEBYTECODE", None)

    def once(code, flags, env):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        p = subprocess.run([PY, *flags, "-c", code], env=env, capture_output=True, text=True, timeout=60)
        wall = (time.monotonic() - t0) * 1000
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if p.returncode != 0:
            raise RuntimeError(f"python -c failed: {scrub(p.stderr)[-1000:]}")
        return wall, (after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000

    def paired(code, *flags, env=env):
        """ours and `python -c pass` in adjacent runs, alternating which goes first: a drifting
        load then moves both alike, and the figure is the median of the n pairs' differences."""
        for c in (code, "pass"):
            once(c, flags, env)  # warm: bytecode written, files in the page cache
        ours, bare, diffs, cpu = [], [], [], []
        for i in range(n):
            order = (code, "pass") if i % 2 == 0 else ("pass", code)
            got = {c: once(c, flags, env) for c in order}
            ours.append(got[code][0])
            bare.append(got["pass"][0])
            diffs.append(got[code][0] - got["pass"][0])
            cpu.append(got[code][1] - got["pass"][1])
        q = statistics.quantiles(diffs, n=4)
        return {"ours": statistics.median(ours), "pass": statistics.median(bare), "over": statistics.median(diffs),
                "q1": q[0], "q3": q[2], "cpuOver": statistics.median(cpu)}

    code = "import kieimage; kieimage.Client(base_url='http://127.0.0.1:9').close()"
    main = paired(code)
    # -S: without site (this machine's site-packages run a .pth hook at every start-up).
    nosite = paired(code, "-S")
    req = paired("import requests; requests.Session()")
    nocache = paired(code, env=dict(ENV, PYTHONDONTWRITEBYTECODE="1"))
    shutil.rmtree(pyc, ignore_errors=True)
    row("P6", "python -c 'import kieimage; Client(...)'",
        f"+{main['over']:.1f} ms over pass (median {main['ours']:.0f} ms)",
        f"python -c pass: {main['pass']:.0f} ms; import requests + Session: +{req['over']:.0f} ms; "
        f"with -S: +{nosite['over']:.0f} ms (pass {nosite['pass']:.0f} ms); "
        f"without cached bytecode +{nocache['over']:.0f} ms",
        "<= 15 ms over python -c pass", main["over"] <= 15,
        f"median of {n} adjacent pairs (ours, pass) in alternating order, wall time of the whole process; "
        f"pair differences q1-q3 {main['q1']:.0f} to {main['q3']:.0f} ms; CPU (user + sys) over pass "
        f"{main['cpuOver']:.0f} ms ({nosite['cpuOver']:.0f} ms with -S)")
    return {"withSite": main, "noSite": nosite, "requests": req, "noBytecodeCache": nocache}


# ---------------------------------------------------------------------------------------------- size

def size():
    """The shipped library's size (make lib: stripped), next to the unstripped release link and, when
    $BENCH_LIB_INTERNALIZED names one, a library built with -internalize-at-link -function-sections."""
    log("size of libkieimage.so")
    mb = lambda n: n / 1048576  # noqa: E731
    shipped = os.path.getsize(LIB)
    unstripped = os.path.join(ROOT, ".build-lib/release/libkieimage.so")
    base = f"unstripped release link {mb(os.path.getsize(unstripped)):.1f} MiB" if os.path.exists(unstripped) else "unstripped: -"
    other = os.environ.get("BENCH_LIB_INTERNALIZED")
    result = {"strippedBytes": shipped}
    if other and os.path.exists(other):
        result["internalizedStrippedBytes"] = os.path.getsize(other)
        base += f"; with -internalize-at-link -function-sections, stripped: {mb(result['internalizedStrippedBytes']):.1f} MiB"
    row("size", "stripped libkieimage.so (make lib)", f"{mb(shipped):.1f} MiB ({shipped / 1e6:.2f} MB, {shipped:,} bytes)", base,
        "<= 28 MB", shipped <= 28_000_000,  # issue #25: both ledger engines ship in the one library
        "MiB = 1,048,576 bytes, MB = 1,000,000; the goal is read as MB, the stricter of the two")
    return result


# ---------------------------------------------------------------------------------------------- report

def machine():
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    mem = next((line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal")), "0")

    def first_line(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
        except Exception:  # noqa: BLE001
            return "?"
    return {
        "cpu": f"{cpu}, {os.cpu_count()} CPUs", "memory": f"{int(mem) / 1048576:.0f} GB", "kernel": platform.release(),
        "swift": first_line(["swift", "--version"]), "python": platform.python_version(),
        "wrk": first_line(["wrk", "-v"]),
    }


def write_markdown(facts, started, elapsed, raw, only, merged_note=""):
    lines = [
        "# Benchmarks",
        "",
        "Produced by `make bench` (Benchmarks/run.sh → Benchmarks/bench.py); every figure next to its baseline,",
        "measured in the same run on the same machine. Benchmarks measure; `make test` asserts nothing about timing.",
        "",
        f"Run: {started} UTC, {elapsed / 60:.1f} min" + (f", subset {only}" if only else "") + ".",
        *([merged_note] if merged_note else []),
        "Load average (1 min) at each measure is in the table: this machine is shared, so figures taken under load",
        "are noisy (throughput and latencies worse than on an idle machine).",
        "",
        "| Measure | Figure | Ours | Baseline (same run) | Goal | Met | Load |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in ROWS:
        met = "n/a" if r["met"] is None else ("yes" if r["met"] else "**no**")
        lines.append(f"| {r['measure']} | {r['figure']} | {r['value']} | {r['baseline']} | {r['goal']} | {met} | {r['load']} |")
    lines += ["", "## What limits each row now", ""]
    for k, v in LIMITS.items():
        lines.append(f"- {k}: {v}")
    lines += [
        "",
        "Profiles (by hand; instruction counts, stable on a shared machine): P1: `valgrind --tool=callgrind",
        "kie-bench p1 --base URL [--family market] --ids FILE --mode client|bare --seconds 2|6` against a",
        "kie-sim with every limit off, reads counted from `GET /_sim/stats`; P4: `valgrind --tool=callgrind",
        "build/bench/p4_profile kie|jansson plain|files 1|1001` (symbols: the library before strip, with",
        "`strip --strip-debug`, as valgrind cannot read its DWARF); P6: `valgrind --tool=callgrind python3 -S -c ...`.",
    ]
    lines += ["", "Notes per row:", ""]
    for r in ROWS:
        if r["note"]:
            lines.append(f"- {r['measure']} {r['figure']}: {r['note']}")
    lines += [
        "",
        "## How each figure is taken",
        "",
        "- Builds: `swift build -c release --scratch-path .build-lib $(make release-flags) --product kie-sim` and",
        "  `--product kie-bench`, the library's scratch path and flags; the library is `make lib`'s release",
        "  `build/lib/libkieimage.so.<version>` (static Swift stdlib, the same flags); the C",
        "  programs in `Benchmarks/c` are built with `gcc -O2` against it. One release `kie-sim` serves every",
        "  measure on loopback, reset and reconfigured per measure through `PUT /_sim/config`.",
        "- The simulator is never the limit: every measure runs with `generateLimit.requests` 0 (off),",
        "  `recordInfoPerTaskPerSecond` 0 (off) and unbounded credits; the clients' own generate limiter is",
        "  off too (`rateLimit.requests` 0), so only client work and the HTTP path are measured.",
        "- P1: finished tasks (generationMs 0); `wrk -t1 -c64 -d5s` on one task's record-info URL with the",
        "  Authorization header, then `kie-bench p1 --mode bare` (AsyncHTTPClient, the core's transport settings",
        "  (no no-op tracing span either), 64 in flight, bodies only collected) and `--mode client` (`KieClient.task` + `task.jsonText`,",
        "  what `kie_task_get` does), 64 in flight; 1 s warm-up; 4 rounds, each wrk then a bare and a client run of 3 s in adjacent, alternating order; the ratio is the median of the 4 pairs' ratios (throughputs: medians; wrk: best). KieClient spaces",
        "  record-info calls for one task >= 350 ms apart (TaskPacer: the API allows 3/s per task), so both Swift",
        "  loops cycle over 20 000 finished tasks (the simulator answers every finished task from a cached",
        "  final answer of the same size as wrk's); one task would cap the client at 2.9/s by design.",
        "- P1-market: the same for a Market task (`gpt-image-2-text-to-image`, marketGenerationMs 0, so every",
        "  task reads `success`): wrk on one task's `GET /api/v1/jobs/recordInfo` URL; `--mode bare` cycles over",
        f"  {P1_MARKET_TASKS} tasks made with bare `POST /api/v1/jobs/createTask`; `--mode client` creates its own",
        f"  {P1_MARKET_TASKS} tasks through `KieClient.generate` first (not timed), so the client knows each id's",
        "  family and `KieClient.task(id)` (no family given) reads recordInfo directly, one call per read,",
        "  then parses it with MarketRecordParser and serializes the task JSON. The simulator writes each",
        "  Market answer afresh (4o finished answers are cached), so wrk's figure is lower than P1's.",
        f"- P2: 1000 tasks, generation drawn by the simulator from a seeded log-normal (`{json.dumps(P2_DIST)}`:",
        "  σ = 0.545, so 5th–95th ≈ 8–49 s, p99 ≈ 71 s). Real scale, not scaled down: all 1000 tasks are submitted",
        "  within 3 s (evenly spread: createTime is floored to whole seconds, and a batch sent in one instant",
        "  would share one rounding error) and each is polled concurrently by `KieClient.wait` (default poll",
        "  settings, cold client: the",
        "  schedule uses its prior) and by fixed pollers of 0.5/1/2/5 s (sleep, GET record-info, check",
        "  `successFlag`) on the same task. Delay = time our process saw the end minus the simulator's exact",
        "  completion time (`GET /_sim/tasks` `completeAtMs`, not the rounded `completeTime`). Our calls per task =",
        "  the simulator's record-info hit count for the task minus the fixed pollers' calls. Regimes run one",
        "  after the other: `progressMode` steady, then jump. The frontier for (b) interpolates calls vs p99 of the",
        "  fixed pollers on log-log axes.",
        "- P2-market: the same 1000 tasks as Market tasks (`{\"model\":\"gpt-image-2-text-to-image\",\"input\":",
        "  {\"prompt\":...,\"aspect_ratio\":\"16:9\"}}` through `KieClient.generate`), durations from the same",
        f"  seeded log-normal (marketGenerationMs unset), marketWaitingMs {P2_MARKET_WAITING_MS}: `waiting`, then",
        "  `generating`, then `success`, with no progress number in any record (the schedule sees progress 0",
        "  until the end, as in P2b). Fixed pollers GET `/api/v1/jobs/recordInfo` until `state` is success or",
        "  fail; calls counted from the simulator's `jobs-recordInfo` hits. Market createTime is exact ms.",
        "- P3: `Benchmarks/c/waits.c`: 10 000 `kie_generate_async` with a wait (delivery \"thread\") against",
        "  generationMs 20 000; threads (from /proc/self/status, minus the host's main thread) and VmHWM sampled",
        "  every 50 ms. KB per wait = (VmHWM - VmRSS of the client after `kie_client_new` and one `kie_credits`)",
        "  / waits. Baseline column: the same through the Swift core (`kie-bench p3`, all threads of that process).",
        "- P4: `Benchmarks/c/request_build.c` (best of 5 × 100 000 calls, each with `kie_string_free`), next to",
        "  jansson `json_loads` + `json_dumps(JSON_COMPACT | JSON_PRESERVE_ORDER)` + free of the same request text",
        "  (reading and writing only, no validation), for a plain request and one with 3 filesUrl, maskUrl and",
        "  callBackUrl; and",
        "  `Benchmarks/python/p4_request.py` (`kieimage.request_body`, best of 5 timeit runs) vs `json.dumps` plus",
        "  a `jsonschema` Draft 2020-12 validator of the same request (compiled once; `jsonschema.validate` shown too).",
        "  The C program and the Python script run in 5 adjacent pairs, alternating which goes first; each figure",
        "  is the median over the pairs, each ratio the median of the pairs' ratios.",
        f"- P5: 1000 tasks, generationMs {P5_GENERATION_MS} fixed (so the baseline finishes in about a minute),",
        "  steady progress. Ours: `Benchmarks/python/p5_kieimage.py`, `asyncio.gather` of `run_async`.",
        "  Baseline: `Benchmarks/python/p5_requests.py`, requests.Session per thread, ThreadPoolExecutor(64),",
        "  POST generate then sleep 1 s / GET record-info until `successFlag` != 0. CPU = user + sys of the",
        "  whole process (library threads included).",
        "- P6: wall time of `python3 -c \"import kieimage; kieimage.Client(base_url=...).close()\"` with the release",
        "  library and its bytecode cached, in 25 adjacent pairs with `python3 -c pass`, alternating which runs first;",
        "  the figure is the median of the pairs' differences (goal: <= 15 ms); the same for -S, for",
        "  `import requests; requests.Session()` and without cached bytecode. CPU = user + sys of the child.",
        "- P8 (the one measure with the simulator's generate limit on: kie's 20 per 10 s per key): 8 processes",
        "  (`Benchmarks/python/ledger_bench.py p8`) start together and `generate_async` back to back, one at a time, for",
        "  `--p8-seconds` (default 120; a generate still waiting at the end is cancelled), first with today's",
        "  per-process limiter (20 per 10 s each, no ledger), then all on one SQLite ledger. 429s = the simulator's",
        "  `generateRateLimited`; sends per 10 s = admitted generates (`/_sim/stats` `generates`) in whole 10 s",
        "  windows from the first, mean and minimum; `maxInWindow` = most admitted in any rolling 10 s.",
        "- P9: one process (`ledger_bench.py p9`), one client per mode: nothing, file journal (`journal_path`),",
        "  SQLite ledger, PostgreSQL ledger (a throw-away cluster on loopback, `Tests/cli/pgcluster.py`, fsync off);",
        "  5 warm-up generates each, then `--p9-generates` rounds (default 200), each mode's `generate()` (submit",
        "  only; the simulator answers at once) timed once per round in rotating order. Cost = per round, the",
        "  mode's time minus the plain generate's; p50 and p99 of those differences. Limits 10 000 per 1 s: the",
        "  ledger takes a token per generate (the real path) and never waits for one.",
        "- P10: 8 processes (`ledger_bench.py p10`) on one SQLite ledger with `ledgerLeaseMs` `--p10-lease-ms`",
        "  (default 30 000, the library's default), 2 generates each (tasks that outlast the measure), each waiting",
        "  for its tasks and calling `resume()` every 0.25 s; once every task has been read, 3 are killed with",
        "  SIGKILL. Figure: for each killed worker's task, the time from the kill to its first record-info read",
        "  after it (`/_sim/tasks` hits, every 0.1 s): a survivor's resume took it over and waits for it. Also",
        "  shown: when `kie_work.owner` changed, and when the dead owners' leases ended (`kie_owners`, on",
        "  SQLite's CLOCK_MONOTONIC clock). Each resume renews its caller's lease (`takeOverSubmitted` does, in its",
        "  transaction), so a killed worker's lease ends a whole lease after its last resume: the worst case.",
        "  A taken-over wait reads its task at once (the survivor did not create it, docs/c-api.md), so what is",
        "  past the lease is the survivors' next resume (every 0.25 s) and that read.",
        "- size: bytes of `build/lib/libkieimage.so.<version>` as `make lib` ships it (strip --strip-unneeded), next",
        "  to the unstripped release link (`.build-lib/release/libkieimage.so`) and, when",
        "  `$BENCH_LIB_INTERNALIZED` names it, the same stripped library built with",
        "  `LIB_SWIFTFLAGS=\"-Xswiftc -Xfrontend -Xswiftc -internalize-at-link -Xswiftc -Xfrontend -Xswiftc -function-sections\"`.",
        "",
        "## Machine",
        "",
    ]
    for k, v in facts.items():
        lines.append(f"- {k}: {v}")
    lines += ["", "## Raw results", "", "```json", json.dumps(raw, indent=1, sort_keys=True), "```", ""]
    with open(os.path.join(ROOT, "BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines))


# The measures in report order (names for --only); main() binds them to the running simulator.
MEASURE_ORDER = [("P1", None), ("P1M", None), ("P2", None), ("P2M", None), ("P3", None), ("P4", None), ("P5", None),
                 ("P6", None), ("P8", None), ("P9", None), ("P10", None), ("P11", None), ("SIZE", None)]


# Which --only name made each row (a row's "group"), for a last run read back from BENCHMARKS.md.
ROW_GROUPS = {"P1": "P1", "P1-market": "P1M", "P2a": "P2", "P2b": "P2", "P2am": "P2", "P2bm": "P2",
              "P2-market": "P2M", "P3": "P3", "P4": "P4", "P5": "P5", "P6": "P6", "P8": "P8", "P9": "P9",
              "P10": "P10", "P11a": "P11", "P11b": "P11", "size": "SIZE"}


def last_run():
    """The last full run (with its merged re-runs): build/bench/last-run.json, else read back from the
    committed BENCHMARKS.md (a fresh clone has no build/bench), so --merge works on any clone."""
    if os.path.exists(LAST_RUN):
        return json.load(open(LAST_RUN))
    text = open(os.path.join(ROOT, "BENCHMARKS.md")).read()
    head = re.search(r"^Run: (.+?) UTC, ([\d.]+) min", text, re.M)
    rows = []
    for line in text.splitlines():
        cells = [c.strip() for c in line.split("|")[1:-1]]
        if len(cells) == 7 and cells[0] in ROW_GROUPS:
            met = None if cells[5] == "n/a" else cells[5] == "yes"
            rows.append({"measure": cells[0], "figure": cells[1], "value": cells[2], "baseline": cells[3],
                         "goal": cells[4], "met": met, "load": cells[6], "note": "", "group": ROW_GROUPS[cells[0]]})
    for r in rows:
        m = re.search(r"^- " + re.escape(f"{r['measure']} {r['figure']}: ") + r"(.*)$", text, re.M)
        r["note"] = m.group(1) if m else ""
    notes = re.findall(r"Rows .+? were measured again at .+? UTC \(`run\.sh --only .+? --merge`\)\.", text)
    machine_part = text.split("## Machine", 1)[1].split("## Raw results", 1)[0]
    facts = dict(re.findall(r"^- (.+?): (.*)$", machine_part, re.M))
    raw = json.loads(text.split("```json", 1)[1].split("```", 1)[0])
    note = (" ".join(notes) + f" The other rows are from the run of {head.group(1)} UTC.") if notes else ""
    return {"rows": rows, "raw": raw, "facts": facts, "started": head.group(1), "elapsed": float(head.group(2)) * 60,
            "mergedNote": note, "mergedNotes": notes}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="measure nothing: rewrite BENCHMARKS.md from the last run (build/bench/last-run.json, else BENCHMARKS.md itself)")
    ap.add_argument("--merge", action="store_true",
                    help="with --only: keep the other measures' rows from the last run (build/bench/last-run.json) and "
                         "rewrite BENCHMARKS.md with both; re-measured rows carry their time")
    ap.add_argument("--p2-tasks", type=int, default=1000)
    ap.add_argument("--p3-tasks", type=int, default=10000)
    ap.add_argument("--p5-tasks", type=int, default=1000)
    ap.add_argument("--p8-seconds", type=float, default=float(os.environ.get("BENCH_P8_SECONDS", 120)),
                    help="P8's run per mode (default 120, env BENCH_P8_SECONDS)")
    ap.add_argument("--p9-generates", type=int, default=200, help="P9's rounds (one generate per mode each)")
    ap.add_argument("--p10-lease-ms", type=int, default=int(os.environ.get("BENCH_P10_LEASE_MS", 30000)),
                    help="P10's ledgerLeaseMs (default 30000, the library's default; env BENCH_P10_LEASE_MS)")
    args = ap.parse_args()
    only = {s.strip().upper() for s in args.only.split(",") if s.strip()}
    if args.report_only:
        last = last_run()
        ROWS[:] = last["rows"]
        write_markdown(last["facts"], last["started"], last["elapsed"], last["raw"], "", last.get("mergedNote", ""))
        print("wrote BENCHMARKS.md from the last run", flush=True)
        return
    want = lambda name: not only or name in only  # noqa: E731
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    t0 = time.monotonic()
    facts = machine()
    facts["load at start (uptime)"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print(f"kieimage benchmarks ({facts['cpu']}, load {load()})", flush=True)
    raw = {}
    os.makedirs(OUT, exist_ok=True)
    sim = Sim() if any(want(m) for m in ("P1", "P1M", "P2", "P2M", "P3", "P5", "P8", "P9", "P10", "P11")) else None
    try:
        measures = [("P1", lambda: p1(sim)), ("P1M", lambda: p1(sim, "market")),
                    ("P2", lambda: p2(sim, args.p2_tasks)), ("P2M", lambda: p2_market(sim, args.p2_tasks)),
                    ("P3", lambda: p3(sim, args.p3_tasks)), ("P4", p4), ("P5", lambda: p5(sim, args.p5_tasks)), ("P6", p6),
                    ("P8", lambda: p8(sim, args.p8_seconds)), ("P9", lambda: p9(sim, args.p9_generates)),
                    ("P10", lambda: p10(sim, args.p10_lease_ms)), ("P11", lambda: p11(sim)), ("SIZE", size)]
        for name, measure in measures:
            if not want(name):
                continue
            GROUP[0] = name
            try:
                raw[name] = measure()
            except Exception as e:  # noqa: BLE001 - one broken measure must not lose the others
                log(f"{name} failed: {scrub(repr(e))[:2000]}")
                raw[name] = {"error": scrub(repr(e))[:2000]}
                row(name, "measure failed (see raw results)", "-", "-", "-", False, scrub(str(e))[:300])
    finally:
        if sim:
            sim.stop()
    elapsed = time.monotonic() - t0
    facts["load at end (uptime)"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    met = sum(1 for r in ROWS if r["met"])
    print(f"{met}/{len(ROWS)} goals met; {elapsed / 60:.1f} min", flush=True)
    merged_note, merged_notes = "", []
    if args.merge and only:
        last = last_run()
        kept = [r for r in last["rows"] if r.get("group") not in only]
        rerun = sorted({r["measure"] for r in ROWS})
        # Earlier re-runs' sentences stay, naming only the rows not measured again now.
        earlier = []
        for n in last.get("mergedNotes", []):
            m = re.match(r"Rows (.+?) were measured again at (.+?) UTC \(`run.sh --only (.+?) --merge`\)\.$", n)
            left = [x for x in m.group(1).split(", ") if x not in rerun] if m else []
            if left:
                earlier.append(f"Rows {', '.join(left)} were measured again at {m.group(2)} UTC "
                               f"(`run.sh --only {m.group(3)} --merge`).")
        merged_notes = earlier + [f"Rows {', '.join(rerun)} were measured again at {started} UTC "
                                  f"(`run.sh --only {args.only} --merge`)."]
        merged_note = " ".join(merged_notes) + f" The other rows are from the run of {last['started']} UTC."
        order = [m for m, _ in MEASURE_ORDER]
        ROWS[:] = sorted(kept + ROWS, key=lambda r: order.index(r["group"]) if r.get("group") in order else 99)
        raw = dict(last["raw"], **raw)
        facts = dict(last["facts"], **{k.replace("load at", "load at re-run"): v for k, v in facts.items() if k.startswith("load")})
        started, elapsed, only_label = last["started"], last["elapsed"], ""
    else:
        only_label = args.only
    # A subset measured alone is kept beside the last run, never over it (a later --merge needs it).
    with open(LAST_RUN if not only or args.merge else os.path.join(OUT, "last-subset.json"), "w") as f:
        json.dump({"rows": ROWS, "raw": raw, "facts": facts, "started": started, "elapsed": elapsed,
                   "mergedNote": merged_note, "mergedNotes": merged_notes}, f)
    if not only or args.write or args.merge:
        write_markdown(facts, started, elapsed, raw, only_label, merged_note)
        print("wrote BENCHMARKS.md", flush=True)


if __name__ == "__main__":
    main()
