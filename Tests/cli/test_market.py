"""kie-image on kie's Market API (GPT Image 2 and the other models), the model presets, the
key's own quota (exit 10), and a --simulate batch large enough to need its generous account."""
import json

import pytest

from clihelpers import png_info, run

GPT2 = "gpt-image-2-text-to-image"


@pytest.mark.parametrize("aspect,resolution,pixels", [("16:9", "1K", (1024, 576)), ("9:16", "2K", (1152, 2048))])
def test_generate_gpt_image_2_offline(tmp_path, aspect, resolution, pixels):
    r = run(["generate", "--simulate", "--model", GPT2, "--prompt", "A lighthouse at dusk", "--aspect", aspect,
             "--resolution", resolution, "--out", str(tmp_path)])
    assert r.returncode == 0, r.stderr
    (path,) = r.stdout.split()
    assert png_info(path) == pixels
    assert "credits consumed: " + {"1K": "6.0", "2K": "10.0"}[resolution] in r.stderr


def test_generate_market_sends_input_fields_as_given(sim):
    r = run(["generate", "--model", "gpt-image-2-5-flare-image-to-image", "--prompt", "Restyle", "--image",
             "https://example.com/a.png", "--background", "transparent", "--input", "nsfw_checker=false",
             "--no-wait", "--json", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    submitted = json.loads(r.stdout)
    assert submitted["family"] == "market"
    (task,) = sim.tasks()
    assert task["taskId"] == submitted["taskId"] and task["model"] == "gpt-image-2-5-flare-image-to-image"
    param = json.loads(task["paramJson"])
    sent = json.loads(param["input"])
    assert sent["prompt"] == "Restyle" and sent["input_urls"] == ["https://example.com/a.png"]
    assert sent["background"] == "transparent" and sent["nsfw_checker"] is False


def test_market_preset_rules_are_checked_before_any_call(sim):
    r = run(["generate", "--model", GPT2, "--prompt", "x", "--aspect", "1:1", "--resolution", "4K", *sim.args()],
            env=sim.env())
    assert r.returncode == 5, r.stderr
    assert "input.aspect_ratio" in r.stderr or "input.resolution" in r.stderr
    assert sim.stats()["requests"].get("jobs-createTask", 0) == 0


@pytest.mark.parametrize("args", [["--size", "1:1"], ["--variants", "2"], ["--enhance"]])
def test_4o_options_are_refused_with_a_model(args):
    r = run(["generate", "--simulate", "--model", GPT2, "--prompt", "x", *args])
    assert r.returncode == 2 and "4o" in r.stderr, r.stderr


def test_market_options_need_a_model():
    r = run(["generate", "--simulate", "--prompt", "x", "--size", "1:1", "--aspect", "16:9"])
    assert r.returncode == 2 and "--model" in r.stderr, r.stderr


def test_models_lists_the_eight_gpt_presets():
    r = run(["models"])
    assert r.returncode == 0, r.stderr
    for model in ["gpt-image/1.5-text-to-image", "gpt-image/1.5-image-to-image", GPT2, "gpt-image-2-image-to-image",
                  "gpt-image-2-5-flare-text-to-image", "gpt-image-2-5-flare-image-to-image",
                  "gpt-image-2-5-sunburst-text-to-image", "gpt-image-2-5-sunburst-image-to-image"]:
        assert model in r.stdout, model
    catalog = json.loads(run(["models", "--json"]).stdout)
    assert len(catalog["models"]) == 8 and all(m["family"] == "market" for m in catalog["models"])


def test_batch_mixes_both_families_and_sums_credits(tmp_path):
    lines = [{"prompt": "a fox", "size": "1:1"},
             {"model": GPT2, "input": {"prompt": "a lighthouse", "aspect_ratio": "16:9"}},
             {"model": GPT2, "input": {"prompt": "a harbour", "aspect_ratio": "1:1", "resolution": "2K"}}]
    requests = tmp_path / "in.jsonl"
    requests.write_text("".join(json.dumps(line) + "\n" for line in lines))
    r = run(["batch", str(requests), "--out", str(tmp_path / "out"), "--simulate", "--json"])
    assert r.returncode == 0, r.stdout + r.stderr
    summary = json.loads(r.stdout)
    assert summary["done"] == 3
    by_line = {row["line"]: row for row in summary["lines"]}
    assert by_line[2]["creditsConsumed"] == 6 and by_line[3]["creditsConsumed"] == 10
    assert by_line[1]["creditsConsumed"] is None          # 4o records say nothing of the charge
    assert summary["creditsConsumed"] == 16


def test_quota_exits_10_after_one_generate(sim):
    sim.configure(faults=[{"endpoint": "generate", "action": {"bodyCode": 433}}])
    r = run(["generate", "--prompt", "capped", "--size", "1:1", *sim.args()], env=sim.env())
    assert r.returncode == 10, r.stderr
    assert "QUOTA" in r.stderr
    assert sim.stats()["requests"]["generate"] == 1


def test_simulated_batch_of_200_lines_has_credits_for_all(tmp_path):
    requests = tmp_path / "in.jsonl"
    requests.write_text("".join(json.dumps({"prompt": f"item {i}", "size": "1:1"}) + "\n" for i in range(200)))
    # A raised limit on both sides keeps the run short; the account is what is under test.
    r = run(["batch", str(requests), "--out", str(tmp_path / "out"), "--simulate", "--json", "--rate-limit", "1000/1000",
             "--sim-config", json.dumps({"generateLimit": {"requests": 1000, "perMs": 1000}, "recordInfoPerTaskPerSecond": 0})],
            timeout=600)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    summary = json.loads(r.stdout)
    assert summary["done"] == 200 and summary["failed"] == 0
    assert len(list((tmp_path / "out").glob("*.png"))) == 200


def test_wait_json_keeps_the_answers_spelling_of_raw(tmp_path, sim):
    # status and wait print the same task JSON: raw is the record as kie.ai wrote it (6.0 stays 6.0).
    submitted = run(["generate", "--model", GPT2, "--prompt", "A lighthouse", "--aspect", "1:1", "--resolution", "1K",
                     "--no-wait", "--json", *sim.args()], env=sim.env())
    assert submitted.returncode == 0, submitted.stderr
    task_id = json.loads(submitted.stdout)["taskId"]
    waited = run(["wait", task_id, "--json", "--out", str(tmp_path), *sim.args()], env=sim.env())
    assert waited.returncode == 0, waited.stderr
    status = run(["status", task_id, "--json", *sim.args()], env=sim.env())
    assert status.returncode == 0, status.stderr
    assert '"creditsConsumed":6.0' in waited.stdout and '"creditsConsumed":6.0' in status.stdout
    task = json.loads(waited.stdout)
    assert task["raw"]["creditsConsumed"] == 6.0 and task["creditsConsumed"] == 6
    (download,) = task["downloads"]
    assert download["path"].startswith(str(tmp_path))
    assert waited.stdout.strip()[:-1].startswith(status.stdout.strip()[:-1])
