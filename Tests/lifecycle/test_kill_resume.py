"""A C program (bindings/c/examples/resume.c) and a Python program on the binding, each
SIGKILLed (a) with its generates in flight (the simulator holds the answers) and (b) while
waiting. After a restart: (a) one `unknown` entry per item, with its tag and request, never
resent; resolving with the task found in the simulator's list (kie's logs) resumes it,
abandoning an item kie never created lets it be submitted again; (b) resume completes the tasks.
The simulator sees exactly one created task per work item."""
import json
import os
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROMPTS = ["a lighthouse at dawn", "a fox in the snow"]


def c_program(resume_c):
    return lambda journal, *args: [resume_c, str(journal), *args]


def python_program(journal, *args):
    return [sys.executable, os.path.join(HERE, "resume_py.py"), str(journal), *args]


def journal_items(path):
    """Work items of a journal file by id: tag, request, latest state, task id."""
    rank = {"intent": 0, "unknown": 1, "submitted": 2, "rejected": 3, "abandoned": 3, "succeeded": 3, "failed": 3,
            "downloaded": 4}
    items = {}
    if not os.path.exists(path):
        return items
    with open(path) as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            item = items.setdefault(e["id"], {"state": "intent", "tag": None, "request": None, "taskId": None})
            for key in ("tag", "request", "taskId"):
                item[key] = item[key] or e.get(key)
            if rank[e["state"]] >= rank[item["state"]]:
                item["state"] = e["state"]
    return items


def wait_until(predicate, what, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while not predicate():
        if proc.poll() is not None:
            raise AssertionError(f"the program ended ({proc.returncode}) before {what}: {proc.stderr.read()!r}")
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def tasks_by_prompt(sim):
    out = {}
    for t in sim.tasks():
        out.setdefault(json.loads(t["paramJson"])["prompt"], []).append(t["taskId"])
    return out


def run_program(argv, sim, timeout=120):
    return subprocess.run(argv, env=sim.env(), capture_output=True, text=True, timeout=timeout)


def kill_with_generates_in_flight(program, tmp_path, sim):
    journal = tmp_path / "journal.jsonl"
    # The first generate is carried out (its task exists, charged) but its answer is held; the
    # second is held and never carried out. Which prompt gets which is the program's order.
    sim.configure(faults=[
        {"endpoint": "generate", "match": {"nth": 1}, "action": {"hangMs": 60000, "process": True}},
        {"endpoint": "generate", "match": {"nth": 2}, "action": {"hangMs": 60000, "process": False}},
    ])
    proc = subprocess.Popen(program(journal, *PROMPTS), env=sim.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until(lambda: sim.stats()["requests"].get("generate", 0) == 2, "both generates to reach the simulator", proc)
    wait_until(lambda: len(tasks_by_prompt(sim)) == 1, "the first generate to be carried out", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sim.configure(faults=[])

    # Restart: both items are unknown, listed with their ids and tags, and nothing is resent.
    again = run_program(program(journal, *PROMPTS), sim)
    assert again.returncode == 8, again.stdout + again.stderr
    items = journal_items(journal)
    # The killed process left intents; a reopened journal reads them as unknown.
    unknown = {i["tag"]: (iid, i) for iid, i in items.items() if i["state"] in ("intent", "unknown")}
    assert sorted(unknown) == ["item-1", "item-2"], items
    for tag, (iid, item) in unknown.items():
        assert iid in again.stderr and tag in again.stderr
        assert item["request"]["prompt"] == PROMPTS[int(tag[-1]) - 1]
    assert sim.stats()["requests"]["generate"] == 2

    # Settle them as a user would with kie's logs (here: the simulator's task list).
    created = tasks_by_prompt(sim)
    args = []
    for tag, (iid, item) in sorted(unknown.items()):
        found = created.get(item["request"]["prompt"])
        args += ["--resolve", f"{iid}={found[0]}"] if found else ["--abandon", iid]
    assert "--resolve" in args and "--abandon" in args
    done = run_program(program(journal, *args, *PROMPTS), sim)
    assert done.returncode == 0, done.stdout + done.stderr
    finished = {line.split()[0]: line.split()[1] for line in done.stdout.splitlines()}
    assert sorted(finished) == ["item-1", "item-2"], done.stdout
    created = tasks_by_prompt(sim)
    assert all(len(ids) == 1 for ids in created.values()) and len(created) == 2, created
    for tag, task_id in finished.items():
        assert created[PROMPTS[int(tag[-1]) - 1]] == [task_id]
    # The abandoned item's first generate never created a task: one task per work item.
    assert sim.stats()["generateAccepted"] == 2


def kill_while_waiting(program, tmp_path, sim):
    journal = tmp_path / "journal.jsonl"
    sim.configure(generationMs=6000)
    proc = subprocess.Popen(program(journal, *PROMPTS), env=sim.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    wait_until(lambda: sum(i["state"] == "submitted" for i in journal_items(journal).values()) == 2,
               "both tasks to be journaled as submitted", proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    sim.configure(generationMs=300)
    again = run_program(program(journal, *PROMPTS), sim)
    assert again.returncode == 0, again.stdout + again.stderr
    finished = {line.split()[0]: line.split()[1] for line in again.stdout.splitlines()}
    created = tasks_by_prompt(sim)
    assert sorted(finished) == ["item-1", "item-2"], again.stdout
    assert {tag: [tid] for tag, tid in finished.items()} == {f"item-{n}": created[p] for n, p in enumerate(PROMPTS, 1)}
    assert sim.stats()["requests"]["generate"] == 2
    assert {i["state"] for i in journal_items(journal).values()} == {"succeeded"}


def test_c_program_killed_with_generates_in_flight_resumes_without_resending(resume_c, tmp_path, sim):
    kill_with_generates_in_flight(c_program(resume_c), tmp_path, sim)


def test_c_program_killed_while_waiting_resumes(resume_c, tmp_path, sim):
    kill_while_waiting(c_program(resume_c), tmp_path, sim)


def test_python_program_killed_with_generates_in_flight_resumes_without_resending(tmp_path, sim):
    kill_with_generates_in_flight(python_program, tmp_path, sim)


def test_python_program_killed_while_waiting_resumes(tmp_path, sim):
    kill_while_waiting(python_program, tmp_path, sim)
