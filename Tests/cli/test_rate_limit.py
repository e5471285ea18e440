"""--rate-limit N/MS: the core's generate pacing for accounts whose limit kie raised."""
import json

import pytest

from clihelpers import Sim, run


def write_lines(path, n, tag):
    with open(path, "w") as f:
        for i in range(n):
            f.write(json.dumps({"prompt": f"{tag} {i}", "size": "1:1"}) + "\n")


def test_bad_rate_limit_is_a_usage_error():
    for value in ["abc", "20", "20/", "/1000", "0/1000", "5/0", "1.5/1000", "20/10s", "1/2/3", "-1/5"]:
        r = run(["batch", "in.jsonl", "--out", "o", "--simulate", f"--rate-limit={value}"])
        assert r.returncode == 2, (value, r.stderr)
        assert "--rate-limit" in r.stderr
    assert "--rate-limit <N/MS>" in run(["batch", "--help"]).stdout
    assert "--rate-limit <N/MS>" in run(["generate", "--help"]).stdout


@pytest.mark.parametrize("server_limit, lines, rate, extra", [
    # The server allows 5 per 2 s: with the default (20 per 10 s) 12 lines would go at once and
    # 7 would be refused with 429 (and retried); paced at 5/2000 none is refused.
    pytest.param({"requests": 5, "perMs": 2000}, 12, "5/2000", [], id="paced"),
    # The server allows 100 per second: a burst of 40 (beyond the default window's 20) goes
    # through without a single 429 or retry.
    pytest.param({"requests": 100, "perMs": 1000}, 40, "100/1000", ["--concurrency", "40"], id="raised"),
])
def test_rate_limit_paces_to_the_given_window(tmp_path, server_limit, lines, rate, extra):
    sim = Sim(generation_ms=200)
    try:
        sim.configure(generateLimit=server_limit)
        requests = tmp_path / "in.jsonl"
        write_lines(requests, lines, rate)
        r = run(["batch", str(requests), "--out", str(tmp_path / "o"), "--rate-limit", rate, *extra, *sim.args()],
                env=sim.env(), timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert sim.stats()["requests"]["generate"] == lines      # no 429, nothing retried
        assert len(sim.tasks()) == lines
    finally:
        sim.stop()
