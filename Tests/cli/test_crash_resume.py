"""Crash-resume (issue 8): a journaled batch of 200 tasks is SIGKILLed at 20 seeded random
points and resumed each time (and a Market batch of GPT Image 2 lines, 60 tasks and 8 kills); at the end every line is done exactly once, no prompt was
submitted twice, every image file is complete and no partial file is left.

Lines killed with their generate in flight have an unknown outcome by design (kie has no API to
list tasks, so the CLI reports them, exit 8, instead of paying twice). The test finishes them as
a user would, with the simulator's task list standing in for kie's logs console: a line whose
task exists is attached to it with --adopt LINE=TASKID, a line with no task is sent again with
--resubmit-unknown. Run with `pytest -s` to see the per-round table.
"""
import json
import os
import random
import signal
import struct
import subprocess
import time

from clihelpers import Sim, kie_image, png_info, run

SEED = 20260408
JOURNAL = "kie-batch-journal.jsonl"


class FourO:
    """GPT Image 1 lines (kie's 4o API): distinct prompts, every aspect, some with two variants."""
    lines, kills = 200, 20
    endpoint = "generate"
    SIZES = ["1:1", "3:2", "2:3"]
    PIXELS = {"1:1": (1024, 1024), "3:2": (1536, 1024), "2:3": (1024, 1536)}

    def request(self, i):
        r = {"prompt": f"crash-resume item {i}", "size": self.SIZES[i % 3]}
        if i % 10 == 0:
            r["nVariants"] = 2
        return r

    def variants(self, i):
        return self.request(i).get("nVariants", 1)

    def pixels(self, i):
        return self.PIXELS[self.request(i)["size"]]

    def prompt(self, task):
        return json.loads(task["paramJson"])["prompt"]


class Market:
    """GPT Image 2 lines (kie's Market API): createTask and recordInfo, one image each."""
    lines, kills = 60, 8
    endpoint = "jobs-createTask"
    RATIOS = ["16:9", "1:1", "9:16"]
    PIXELS = {"16:9": (1024, 576), "1:1": (1024, 1024), "9:16": (576, 1024)}

    def request(self, i):
        return {"model": "gpt-image-2-text-to-image",
                "input": {"prompt": f"crash-resume item {i}", "aspect_ratio": self.RATIOS[i % 3]}}

    def variants(self, i):
        return 1

    def pixels(self, i):
        return self.PIXELS[self.RATIOS[i % 3]]

    def prompt(self, task):
        # Market's `param` is doubly encoded: {"input": "<input as JSON>", "model": ...}.
        return json.loads(json.loads(task["paramJson"])["input"])["prompt"]


def line_of_prompt(prompt):
    assert prompt.startswith("crash-resume item "), prompt
    return int(prompt.rsplit(" ", 1)[1])


def sim_tasks_by_line(sim, fam):
    by_line = {}
    for t in sim.tasks():
        by_line.setdefault(line_of_prompt(fam.prompt(t)), []).append(t["taskId"])
    return by_line


def read_journal(path):
    """Parses every line strictly and folds it the way the batch does: per line, the tasks its
    tag names, which of them were downloaded, and the intents still dangling (unknown outcome)."""
    entries = []
    with open(path, "rb") as f:
        data = f.read()
    for n, raw in enumerate(data.split(b"\n"), 1):
        if not raw.strip():
            continue
        try:
            entries.append(json.loads(raw))
        except ValueError:
            raise AssertionError(f"{path}:{n}: journal line does not parse: {raw[:120]!r}")
    # Work items by id (docs/journal.md): the intent line carries the tag, later lines the task
    # id and state; states only move forward.
    rank = {"intent": 0, "unknown": 1, "submitted": 2, "rejected": 3, "abandoned": 3, "succeeded": 3, "failed": 3,
            "downloaded": 4}
    items = {}
    for e in entries:
        assert e["state"] in rank, f"{path}: unknown journal state {e['state']!r}"
        item = items.setdefault(e["id"], {"tag": None, "taskId": None, "state": "intent", "files": None})
        item["tag"] = item["tag"] or e.get("tag")
        item["taskId"] = item["taskId"] or e.get("taskId")
        if rank[e["state"]] >= rank[item["state"]]:
            item["state"] = e["state"]
        if e["state"] == "downloaded":
            item["files"] = e["detail"]["files"]
    tasks, downloaded, dangling = {}, {}, set()
    for item in items.values():
        tag = item["tag"]
        if not (tag and tag.startswith("batch:")):
            continue
        number = int(tag.split(":")[1])
        if item["taskId"]:
            tasks.setdefault(number, set()).add(item["taskId"])
        if item["files"] is not None:
            downloaded[number] = item["files"]
        if item["state"] in ("intent", "unknown"):
            dangling.add(number)
    # A line whose unknown item was followed by a known task is not unknown: the task is known.
    unknown = {n for n in dangling if n not in tasks}
    return {"tasks": tasks, "downloaded": downloaded, "unknown": unknown, "entries": len(entries)}


def settle(sim, fam):
    """Simulator stats once the generates that were on the wire at the kill have been handled
    (a busy debug simulator may take a while to read them)."""
    last = sim.stats()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        time.sleep(0.4)
        now = sim.stats()
        if now["requests"].get(fam.endpoint, 0) == last["requests"].get(fam.endpoint, 0) \
                and now["generateAccepted"] == last["generateAccepted"] == len(sim.tasks()):
            return now
        last = now
    raise AssertionError(f"the simulator's task count never settled: {last}")


def check_png_quickly(path, pixels):
    """Signature, IHDR dimensions for the aspect, and the IEND chunk as the file's last 12 bytes."""
    with open(path, "rb") as f:
        head = f.read(24)
        f.seek(-12, os.SEEK_END)
        tail = f.read(12)
    assert head[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: not a PNG signature (partial file?)"
    assert struct.unpack(">II", head[16:24]) == pixels, f"{path}: wrong dimensions, expected {pixels}"
    assert tail == b"\x00\x00\x00\x00IEND\xaeB`\x82", f"{path}: no IEND at the end (partial file?)"


def check_output_dir(out, task_pixels, checked):
    """Every visible file is a complete PNG of a known task; returns the hidden/temp files."""
    leftovers = []
    for name in sorted(os.listdir(out)):
        if name == JOURNAL:
            continue
        if name.startswith(".") or name.endswith(".part") or not name.endswith(".png"):
            leftovers.append(name)
            continue
        task = name.rsplit("_", 1)[0]
        assert task in task_pixels, f"{name}: not a file of any simulator task"
        path = os.path.join(out, name)
        key = (name, os.path.getsize(path))
        if key not in checked:
            check_png_quickly(path, task_pixels[task])
            checked.add(key)
    return leftovers


def batch_argv(requests, out, sim, *extra):
    # The default concurrency (20 lines in flight); the raised limit matches the simulator's.
    return ["batch", str(requests), "--out", str(out), "--rate-limit", "200/1000", *extra, *sim.args()]


def test_200_line_batch_survives_20_sigkills(tmp_path):
    crash_resume(tmp_path, FourO())


def test_market_batch_survives_sigkills(tmp_path):
    crash_resume(tmp_path, Market())


def crash_resume(tmp_path, fam):
    started = time.monotonic()
    config = tmp_path / "sim.json"
    config.write_text(json.dumps({
        "apiKeys": {"sim-key": 1_000_000},
        "generation": {"kind": "uniform", "minMs": 300, "maxMs": 800},
        "generateLimit": {"requests": 200, "perMs": 1000},
        "recordInfoPerTaskPerSecond": 0,
    }))
    sim = Sim(extra=["--config", str(config)])
    sim.admin_timeout = 120   # right after a kill the simulator may still be encoding dozens of PNGs
    try:
        run_crash_resume(tmp_path, sim, started, fam)
    finally:
        sim.stop()


def run_crash_resume(tmp_path, sim, started, fam):
    requests = tmp_path / "in.jsonl"
    requests.write_text("".join(json.dumps(fam.request(i)) + "\n" for i in range(1, fam.lines + 1)))
    out = tmp_path / "out"
    journal = out / JOURNAL
    rng = random.Random(SEED)
    # Half the kills land in the first second (process start, journal replay, the submission
    # burst), half anywhere in the next few seconds (polling, downloads, journal writes).
    delays = [rng.uniform(0.05, 1.0) if rng.random() < 0.5 else rng.uniform(1.0, 4.0) for _ in range(fam.kills)]

    checked = set()
    rows = []
    unknown_ever = set()
    for round_no, delay in enumerate(delays, 1):
        log = open(tmp_path / f"round{round_no:02d}.log", "w")
        proc = subprocess.Popen([kie_image(), *batch_argv(requests, out, sim)], env=sim.env(),
                                stdout=log, stderr=subprocess.STDOUT)
        time.sleep(delay)
        finished_early = proc.poll() is not None
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        log.close()
        stats = settle(sim, fam)
        tasks = sim_tasks_by_line(sim, fam)
        state = read_journal(journal) if journal.exists() else read_journal_empty()
        dup = {n: ids for n, ids in tasks.items() if len(ids) > 1}
        assert not dup, f"round {round_no}: lines submitted twice: {dup}"
        # Every task is one accepted generate; none was refused by kie's window (a restarted
        # run waits out the sends its journal holds). A generate whose body the kill cut off
        # reaches the simulator's counter without creating anything: those are the difference.
        assert len(tasks) == stats["generateAccepted"] and stats["generateRateLimited"] == 0, \
            f"round {round_no}: tasks {len(tasks)}, accepted {stats['generateAccepted']}, 429s {stats['generateRateLimited']}"
        for n, ids in state["tasks"].items():
            assert ids <= set(tasks.get(n, [])), f"round {round_no}: line {n} journaled tasks {ids} the simulator does not have for it"
        task_pixels = {tid: fam.pixels(n) for n, ids in tasks.items() for tid in ids}
        leftovers = check_output_dir(out, task_pixels, checked) if out.exists() else []
        unknown_ever |= state["unknown"]
        rows.append((round_no, delay, "exited" if finished_early else "killed", len(tasks), len(state["downloaded"]),
                     len(state["unknown"]), len(leftovers)))
        if finished_early:
            break

    print("\nround  delay  end     sim-tasks  downloaded  unknown  temp-files")
    for r in rows:
        print("%5d  %5.2f  %-6s  %9d  %10d  %7d  %10d" % r)

    # Run to completion as the user would: the same command again.
    final = run([*batch_argv(requests, out, sim, "--json")], env=sim.env(), timeout=240)
    summary = json.loads(final.stdout)
    status = {row["line"]: row["status"] for row in summary["lines"]}
    unknown = sorted(n for n, s in status.items() if s == "UNKNOWN_OUTCOME")
    assert final.returncode == (8 if unknown else 0), final.stdout[-2000:] + final.stderr[-2000:]
    assert all(s in ("DONE", "DONE (earlier)", "UNKNOWN_OUTCOME") for s in status.values()), status
    assert set(unknown) == read_journal(journal)["unknown"]

    # Unknown outcomes: the simulator (kie's logs) says whether each one's task exists.
    tasks = sim_tasks_by_line(sim, fam)
    for n in unknown:
        assert len(tasks.get(n, [])) <= 1, f"line {n}: unknown outcome with {tasks[n]} tasks"
    adopt = {n: tasks[n][0] for n in unknown if tasks.get(n)}
    resend = [n for n in unknown if not tasks.get(n)]
    print(f"unknown outcomes at the end: {len(unknown)} (task exists, adopted: {sorted(adopt)}; "
          f"never reached the simulator, resubmitted: {resend}); lines ever unknown across rounds: {len(unknown_ever)}")
    if unknown:
        extra = [a for n, t in sorted(adopt.items()) for a in ("--adopt", f"{n}={t}")]
        if resend:
            extra.append("--resubmit-unknown")
        fix = run([*batch_argv(requests, out, sim, "--json", *extra)], env=sim.env(), timeout=240)
        assert fix.returncode == 0, fix.stdout[-2000:] + fix.stderr[-2000:]
        fixed = {row["line"]: row for row in json.loads(fix.stdout)["lines"]}
        for n in unknown:
            assert fixed[n]["status"] == "DONE", fixed[n]
            if n in adopt:
                assert fixed[n]["taskId"] == adopt[n]

    # The end state: exactly one task per prompt, no generate beyond those, every line done once.
    tasks = sim_tasks_by_line(sim, fam)
    stats = sim.stats()
    assert sorted(tasks) == list(range(1, fam.lines + 1)), "some line has no task"
    assert all(len(ids) == 1 for ids in tasks.values()), {n: ids for n, ids in tasks.items() if len(ids) > 1}
    assert fam.lines == stats["generateAccepted"] and stats["generateRateLimited"] == 0

    again = run([*batch_argv(requests, out, sim, "--json")], env=sim.env(), timeout=120)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    result = json.loads(again.stdout)
    assert result["done"] == fam.lines and result["failed"] == 0
    assert sim.stats()["requests"][fam.endpoint] == stats["requests"][fam.endpoint]   # the rerun submitted nothing
    expected_files = set()
    for row in result["lines"]:
        n = row["line"]
        assert row["status"] == "DONE (earlier)", row
        assert row["taskId"] == tasks[n][0], row
        names = sorted(os.path.basename(f) for f in row["files"])
        assert names == [f"{tasks[n][0]}_{k}.png" for k in range(fam.variants(n))], row
        expected_files |= set(names)
    state = read_journal(journal)
    assert not state["unknown"] and sorted(state["downloaded"]) == list(range(1, fam.lines + 1))

    # Every image complete (full check: chunk CRCs, inflated size), nothing else in the directory.
    listing = set(os.listdir(out)) - {JOURNAL}
    assert listing == expected_files, f"unexpected files: {sorted(listing - expected_files)[:10]}, " \
                                      f"missing: {sorted(expected_files - listing)[:10]}"
    pixels_of = {tasks[n][0]: fam.pixels(n) for n in tasks}
    for name in listing:
        assert png_info(out / name) == pixels_of[name.rsplit("_", 1)[0]], name
    print(f"crash-resume: {len(rows)} rounds, {len(unknown)} unknown outcomes at the end, "
          f"{stats['requests'][fam.endpoint]} generates for {fam.lines} lines, {time.monotonic() - started:.0f} s")


def read_journal_empty():
    return {"tasks": {}, "downloaded": {}, "unknown": set(), "entries": 0}


def test_download_killed_mid_file_leaves_no_partial_file_after_a_rerun(tmp_path, sim):
    r = run(["generate", "--prompt", "killed download", "--size", "1:1", "--no-wait", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    task = r.stdout.split()[-1]
    assert run(["wait", task, *sim.args()], env=sim.env()).returncode == 0
    out = tmp_path / "out"
    # The file host hangs on the first fetch: the temporary file exists when the kill lands.
    sim.configure(faults=[{"endpoint": "file", "match": {"nth": 1}, "action": {"hangMs": 20000}}])
    proc = subprocess.Popen([kie_image(), "download", task, "--out", str(out), *sim.args()], env=sim.env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not (out.exists() and any(n.endswith(".part") for n in os.listdir(out))):
        assert time.monotonic() < deadline and proc.poll() is None, "no partial file appeared"
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert not any(n.endswith(".png") for n in os.listdir(out))       # never a partial file under the final name
    r = run(["download", task, "--out", str(out), *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(os.listdir(out)) == [f"{task}_0.png"]
    assert png_info(out / f"{task}_0.png") == (1024, 1024)
