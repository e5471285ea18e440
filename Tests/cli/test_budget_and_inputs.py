"""--max-credits (exit 12, the batch summary's spend against the budget) and local --image files
uploaded by the library, once per content (docs/cli.md)."""
import json

from clihelpers import run
from test_generate import tiny_png


def write_lines(path, n):
    with open(path, "w") as f:
        for i in range(1, n + 1):
            f.write(json.dumps({"prompt": f"budget item {i}", "size": "1:1"}) + "\n")


def test_a_batch_that_hits_max_credits_exits_12_with_the_exact_summary(tmp_path, sim):
    lines = tmp_path / "p.jsonl"
    write_lines(lines, 5)
    args = ["batch", str(lines), "--out", str(tmp_path / "out"), "--max-credits", "20", *sim.args()]
    r = run(args, env=sim.env())
    assert r.returncode == 12, r.stderr
    out = r.stdout.splitlines()
    statuses = sorted(line.split()[1] for line in out[1:6])
    assert statuses == ["BUDGET", "BUDGET", "DONE", "DONE", "DONE"], r.stdout  # 4o: 6 credits an image
    assert out[6] == "5 lines: 3 done, 2 failed"
    assert out[7] == "budget: 18 of 20 credits spent"
    assert len(sim.tasks()) == 3, "a refused line sends nothing; submitted lines finish"
    # The journal keeps the spend: a rerun finishes nothing more and says the same.
    again = run(args + ["--json"], env=sim.env())
    assert again.returncode == 12, again.stderr
    summary = json.loads(again.stdout)
    assert summary["budget"] == {"maxCredits": 20, "spent": 18, "reserved": 0, "since": None}
    assert summary["done"] == 3 and summary["failed"] == 2 and len(sim.tasks()) == 3


def test_generate_past_max_credits_exits_12_and_sends_nothing(tmp_path, sim):
    r = run(["generate", "--prompt", "x", "--size", "1:1", "--variants", "4", "--max-credits", "20",
             "--out", str(tmp_path), *sim.args()], env=sim.env())
    assert r.returncode == 12, r.stderr
    assert "BUDGET" in r.stderr and sim.tasks() == []


def test_image_from_a_relative_path_is_uploaded_once_by_the_library(tmp_path, sim):
    tiny_png(tmp_path / "photo.png")
    r = run(["generate", "--prompt", "make it night", "--size", "1:1", "--image", "photo.png",
             "--image", str(tmp_path / "photo.png"), "--mask", (tmp_path / "photo.png").as_uri(),
             "--out", str(tmp_path / "o"), *sim.args()], env=sim.env(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert sim.stats()["uploads"] == 1, "one content, one upload"
    params = json.loads(sim.tasks()[0]["paramJson"])
    assert len(set(params["filesUrl"] + [params["maskUrl"]])) == 1
    assert params["maskUrl"].startswith("http://127.0.0.1:")



def test_proxy_and_budget_values_are_checked_by_the_library(tmp_path, sim):
    for option, value, field in (("--proxy", "socks5://user:secret@127.0.0.1:1080", "proxy"),
                                 ("--max-credits", "-1", "maxCredits"),
                                 ("--budget-since", "yesterday", "budgetSince")):
        r = run(["generate", "--prompt", "x", "--size", "1:1", f"{option}={value}", *sim.args()], env=sim.env())
        assert r.returncode == 2, r.stderr
        assert "INVALID_ARGUMENT" in r.stderr and field in r.stderr and "secret" not in r.stderr
    assert sim.tasks() == []
