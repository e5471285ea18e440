"""batch: pacing under the 20-per-10 s limit, faults, summary, resume after SIGKILL and Ctrl-C."""
import json
import os
import signal
import subprocess
import time

from clihelpers import kie_image, png_info, run

# Beyond the first 20 submissions, so the lost answer (12th generate) never lands on one of them.
FAILING = {25, 33, 47}


def write_batch(path, n, failing=()):
    sizes = ["1:1", "3:2", "2:3"]
    with open(path, "w") as f:
        f.write("# one request per line\n")
        for i in range(1, n + 1):
            prompt = f"batch item {i}" + (" [sim:generate_failed]" if i in failing else "")
            f.write(json.dumps({"prompt": prompt, "size": sizes[i % 3]}) + "\n")


def summary_rows(stdout):
    """LINE -> (STATUS, TASK) from the summary table."""
    rows = {}
    for line in stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) >= 3 and parts[0].isdigit() and parts[1] != "lines:":
            status = parts[1] + (" " + parts[2] if parts[2] == "(earlier)" else "")
            rows[int(parts[0])] = (status, parts[3] if parts[2] == "(earlier)" else parts[2])
    return rows


def prompts_seen(sim):
    return [json.loads(t["paramJson"])["prompt"] for t in sim.tasks()]


def test_batch_of_50_with_faults_completes_with_the_right_summary(tmp_path, sim):
    sim.configure(faults=[
        # Refused before any task exists: retried by the client, invisible in the summary.
        {"endpoint": "generate", "match": {"nth": 3}, "action": {"bodyCode": 455}},
        # Status and file hiccups: retried.
        {"endpoint": "record-info", "match": {"every": 9}, "action": {"bodyCode": 500}},
        {"endpoint": "file", "match": {"nth": 4}, "action": {"httpStatus": 503}},
        # Accepted, but the answer is lost: that line's outcome is unknown and it is not resent.
        {"endpoint": "generate", "match": {"nth": 12}, "action": {"reset": "after"}},
    ])
    requests = tmp_path / "in.jsonl"
    write_batch(requests, 50, FAILING)
    out = tmp_path / "out"
    r = run(["batch", str(requests), "--out", str(out), *sim.args()], env=sim.env(), timeout=300)
    assert r.returncode == 1, r.stderr     # two kinds of failure: task failed and unknown outcome
    rows = summary_rows(r.stdout)
    assert sorted(rows) == [i + 2 for i in range(50)]   # file line numbers (line 1 is a comment)
    statuses = [s for s, _ in rows.values()]
    assert statuses.count("DONE") == 46, r.stdout
    assert statuses.count("TASK_FAILED") == 3
    assert statuses.count("UNKNOWN_OUTCOME") == 1
    assert {n - 1 for n, (s, _) in rows.items() if s == "TASK_FAILED"} == FAILING
    assert r.stdout.strip().splitlines()[-1] == "50 lines: 46 done, 4 failed"

    stats = sim.stats()
    assert stats["generateAccepted"] == 50                  # the unknown one exists too
    assert stats["requests"]["generate"] == 51              # 50 + the one retry after 455: no 429 ever
    assert len(set(prompts_seen(sim))) == 50
    pngs = sorted(out.glob("*.png"))
    assert len(pngs) == 46
    expected = {"1:1": (1024, 1024), "3:2": (1536, 1024), "2:3": (1024, 1536)}
    by_task = {t["taskId"]: t["size"] for t in sim.tasks()}
    for png in pngs:
        assert png_info(png) == expected[by_task[png.name.split("_")[0]]]

    # Rerun: nothing is submitted again; the unknown line is reported, not resent.
    again = run(["batch", str(requests), "--out", str(out), *sim.args()], env=sim.env(), timeout=120)
    assert again.returncode == 1
    assert sim.stats()["requests"]["generate"] == 51
    assert [s for s, _ in summary_rows(again.stdout).values()].count("DONE (earlier)") == 46


def journal_counts(path):
    submitted, downloaded = set(), set()
    if not os.path.exists(path):
        return 0, 0
    with open(path) as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if not e.get("taskId"):
                continue
            (downloaded if e["state"] == "downloaded" else submitted).add(e["taskId"])
    return len(submitted | downloaded), len(downloaded)


def start_batch(requests, out, sim):
    return subprocess.Popen([kie_image(), "batch", str(requests), "--out", str(out), *sim.args()], env=sim.env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for(proc, journal, submitted, downloaded):
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        s, d = journal_counts(journal)
        if s >= submitted and d >= downloaded:
            return s, d
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.05)
    raise AssertionError("batch made no progress")


def assert_completed_exactly_once(sim, requests, out, n):
    r = run(["batch", str(requests), "--out", str(out), *sim.args()], env=sim.env(), timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    rows = summary_rows(r.stdout)
    assert len(rows) == n and all(s.startswith("DONE") for s, _ in rows.values())
    assert r.stdout.strip().splitlines()[-1] == f"{n} lines: {n} done, 0 failed"
    prompts = prompts_seen(sim)
    assert sorted(prompts) == sorted(f"batch item {i}" for i in range(1, n + 1)), "a line was submitted twice"
    # Exactly once on the server: n admitted. A send the rate window refused (429, created nothing,
    # charged nothing) may follow a restart on a loaded machine; it is retried, never duplicated.
    st = sim.stats()
    assert st["generateAccepted"] == n, st["requests"]
    assert st["requests"]["generate"] == n + st["generateRateLimited"], st["requests"]
    task_ids = {t for _, t in rows.values()}
    assert len(task_ids) == n
    pngs = list(out.glob("*.png"))
    assert {p.name.split("_")[0] for p in pngs} == task_ids and len(pngs) == n
    for p in pngs:
        png_info(p)


def test_batch_killed_midway_resumes_without_resubmitting(tmp_path, sim):
    requests = tmp_path / "in.jsonl"
    write_batch(requests, 50)
    out = tmp_path / "out"
    proc = start_batch(requests, out, sim)
    # After the first 20 submissions the batch waits for the rate window: kill it there, with
    # tasks submitted, some downloaded and others still running.
    wait_for(proc, out / "kie-batch-journal.jsonl", submitted=20, downloaded=1)
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    before = sim.stats()["requests"]["generate"]
    assert 20 <= before < 50
    assert_completed_exactly_once(sim, requests, out, 50)


def test_batch_ctrl_c_stops_cleanly_and_resumes(tmp_path, sim):
    requests = tmp_path / "in.jsonl"
    write_batch(requests, 30)
    out = tmp_path / "out"
    proc = start_batch(requests, out, sim)
    wait_for(proc, out / "kie-batch-journal.jsonl", submitted=5, downloaded=0)
    proc.send_signal(signal.SIGINT)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stdout.splitlines()[-1]
    assert_completed_exactly_once(sim, requests, out, 30)


def test_invalid_line_stops_the_batch_before_any_submission(tmp_path, sim):
    requests = tmp_path / "in.jsonl"
    requests.write_text('{"prompt": "ok", "size": "1:1"}\n{"prompt": "bad", "size": "4:3"}\nnot json\n')
    r = run(["batch", str(requests), "--out", str(tmp_path / "o"), *sim.args()], env=sim.env())
    assert r.returncode == 5
    assert f"{requests}:2: VALIDATION" in r.stderr and "[field: size]" in r.stderr
    assert f"{requests}:3: VALIDATION" in r.stderr
    assert sim.stats()["requests"].get("generate", 0) == 0


def fnv1a(text):
    h = 0xcbf29ce484222325
    for b in text.encode():
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def test_line_whose_generate_was_in_flight_at_a_crash_is_reported_not_resubmitted(tmp_path, sim):
    lines = ['{"prompt": "sent before the crash", "size": "1:1"}', '{"prompt": "never sent", "size": "1:1"}']
    requests = tmp_path / "in.jsonl"
    requests.write_text("\n".join(lines) + "\n")
    out = tmp_path / "out"
    out.mkdir()
    # The journal as a kill between sending line 1's generate and recording its task id leaves it.
    intent = {"v": 1, "taskId": "intent:1:1", "state": "intent", "time": int(time.time() * 1000) - 60000,
              "tag": f"batch:1:{fnv1a(lines[0])}"}
    (out / "kie-batch-journal.jsonl").write_text(json.dumps(intent) + "\n")

    r = run(["batch", str(requests), "--out", str(out), *sim.args()], env=sim.env())
    assert r.returncode == 8, r.stdout + r.stderr
    rows = summary_rows(r.stdout)
    assert rows[1][0] == "UNKNOWN_OUTCOME" and rows[2][0] == "DONE"
    assert prompts_seen(sim) == ["never sent"]

    r = run(["batch", str(requests), "--out", str(out), "--resubmit-unknown", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stdout + r.stderr
    assert sorted(prompts_seen(sim)) == ["never sent", "sent before the crash"]


def test_edited_input_is_refused_against_an_old_journal(tmp_path, sim):
    requests = tmp_path / "in.jsonl"
    requests.write_text('{"prompt": "one", "size": "1:1"}\n')
    out = tmp_path / "out"
    assert run(["batch", str(requests), "--out", str(out), *sim.args()], env=sim.env()).returncode == 0
    requests.write_text('{"prompt": "one, edited", "size": "1:1"}\n')
    r = run(["batch", str(requests), "--out", str(out), *sim.args()], env=sim.env())
    assert r.returncode == 2
    assert "line 1 of" in r.stderr and "changed" in r.stderr
    assert len(sim.tasks()) == 1


def test_unknown_outcome_found_in_the_logs_is_adopted_not_resubmitted(tmp_path, sim):
    # The first generate is accepted but its answer is lost: the line's outcome is unknown.
    sim.configure(faults=[{"endpoint": "generate", "match": {"nth": 1}, "action": {"reset": "after"}}])
    requests = tmp_path / "in.jsonl"
    requests.write_text('{"prompt": "lost answer", "size": "1:1"}\n{"prompt": "fine", "size": "3:2"}\n')
    out = tmp_path / "out"
    r = run(["batch", str(requests), "--out", str(out), "--concurrency", "1", *sim.args()], env=sim.env())
    assert r.returncode == 8, r.stdout + r.stderr
    assert summary_rows(r.stdout)[1][0] == "UNKNOWN_OUTCOME"
    (lost,) = [t["taskId"] for t in sim.tasks() if json.loads(t["paramJson"])["prompt"] == "lost answer"]

    bad = [["--adopt", "1"], ["--adopt", "x=abc"], ["--adopt", "1=not a task id"], ["--adopt", "0=abc"],
           ["--adopt", "1=abc", "--adopt", "1=def"], ["--adopt", "2=abc"], ["--adopt", "3=abc"]]
    for extra in bad:
        r = run(["batch", str(requests), "--out", str(out), *extra, *sim.args()], env=sim.env())
        assert r.returncode == 2, (extra, r.stdout + r.stderr)    # line 2 is done, line 3 does not exist
    # A mistyped id naming another request's task is refused (the task's paramJson is checked).
    other = run(["generate", "--prompt", "another request", "--size", "1:1", "--no-wait", *sim.args()], env=sim.env())
    r = run(["batch", str(requests), "--out", str(out), "--adopt", f"1={other.stdout.split()[-1]}", *sim.args()],
            env=sim.env())
    assert r.returncode == 2 and "another request" in r.stderr, r.stdout + r.stderr
    # The user found the task in kie's logs: adopt it instead of paying twice.
    r = run(["batch", str(requests), "--out", str(out), "--adopt", f"1={lost}", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stdout + r.stderr
    rows = summary_rows(r.stdout)
    assert rows[1] == ("DONE", lost) and rows[2][0] == "DONE (earlier)"
    assert png_info(out / f"{lost}_0.png") == (1024, 1024)
    assert sim.stats()["requests"]["generate"] == 3 and len(sim.tasks()) == 3     # 2 lines + "another request"
    again = run(["batch", str(requests), "--out", str(out), *sim.args()], env=sim.env())
    assert again.returncode == 0 and summary_rows(again.stdout)[1] == ("DONE (earlier)", lost)
