import json
import os
import re
import struct
import zlib

import pytest

from clihelpers import png_info, run

SIZES = {"1:1": (1024, 1024), "3:2": (1536, 1024), "2:3": (1024, 1536)}


@pytest.mark.parametrize("size", SIZES)
def test_generate_simulate_writes_png_of_the_right_size(tmp_path, size):
    out = tmp_path / "out"
    r = run(["generate", "--simulate", "--prompt", "A beautiful sunset over the mountains",
             "--size", size, "--out", str(out) + "/"], cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    paths = r.stdout.split()
    assert len(paths) == 1 and paths[0].endswith(".png")
    assert os.path.dirname(paths[0]) == str(out)
    assert png_info(paths[0]) == SIZES[size]


def test_generate_defaults_to_kie_out_task_dir(tmp_path, sim):
    r = run(["generate", "--prompt", "a lighthouse", "--size", "3:2", *sim.args()], env=sim.env(), cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    (path,) = r.stdout.split()
    task_id = sim.tasks()[0]["taskId"]
    assert path == f"kie-out/{task_id}/{task_id}_0.png"
    assert png_info(tmp_path / path) == (1536, 1024)


def test_generate_variants_download_every_image(tmp_path, sim):
    r = run(["generate", "--prompt", "two foxes", "--size", "2:3", "--variants", "2", "--out", str(tmp_path),
             *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    paths = r.stdout.split()
    assert len(paths) == 2
    assert all(png_info(p) == (1024, 1536) for p in paths)


def test_generate_sends_every_option_as_the_api_names_it(tmp_path, sim):
    r = run(["generate", "--prompt", "a fox", "--size", "1:1", "--enhance", "--fallback", "FLUX_MAX",
             "--callback-url", "http://127.0.0.1:9/hook", "--image", "https://example.com/a.png",
             "--mask", "https://example.com/m.png", "--no-wait", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    task_id = r.stdout.strip()
    (task,) = sim.tasks()
    assert task["taskId"] == task_id
    params = json.loads(task["paramJson"])
    assert params["prompt"] == "a fox" and params["size"] == "1:1"
    assert params["isEnhance"] is True
    assert params["enableFallback"] is True and params["fallbackModel"] == "FLUX_MAX"
    assert params["callBackUrl"] == "http://127.0.0.1:9/hook"
    assert params["filesUrl"] == ["https://example.com/a.png"]
    assert params["maskUrl"] == "https://example.com/m.png"


def tiny_png(path):
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    raw = b"\x00\xff\x00\x00"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def test_generate_uploads_local_image_and_mask_first(tmp_path, sim):
    image, mask = tmp_path / "photo.png", tmp_path / "mask.png"
    tiny_png(image)
    tiny_png(mask)
    mask.write_bytes(mask.read_bytes() + b"\0")  # other content: a second upload
    r = run(["generate", "--prompt", "make it night", "--size", "1:1", "--image", str(image), "--mask", str(mask),
             "--out", str(tmp_path / "o"), *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    assert sim.stats()["uploads"] == 2
    params = json.loads(sim.tasks()[0]["paramJson"])
    assert len(params["filesUrl"]) == 1 and params["filesUrl"][0].startswith("http://127.0.0.1:")
    assert params["filesUrl"][0].endswith(".png") and params["maskUrl"].endswith(".png")
    assert params["maskUrl"] != params["filesUrl"][0]
    assert png_info(r.stdout.split()[0]) == (1024, 1024)


def test_no_wait_then_status_wait_download(tmp_path, sim):
    r = run(["generate", "--prompt", "later", "--size", "1:1", "--no-wait", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    task_id = r.stdout.strip()
    assert re.fullmatch(r"[0-9a-f]{32}", task_id)

    status = run(["status", task_id, "--json", *sim.args()], env=sim.env())
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["taskId"] == task_id

    waited = run(["wait", task_id, "--json", *sim.args()], env=sim.env())
    assert waited.returncode == 0, waited.stderr
    task = json.loads(waited.stdout)
    assert task["status"] == "SUCCESS" and len(task["resultUrls"]) == 1

    dl = run(["download", task_id, "--out", str(tmp_path / "d"), *sim.args()], env=sim.env())
    assert dl.returncode == 0, dl.stderr
    assert png_info(dl.stdout.strip()) == (1024, 1024)


def test_json_prints_only_the_normalized_task_with_downloads(tmp_path, sim):
    r = run(["generate", "--prompt", "json please", "--size", "1:1", "--json", "--out", str(tmp_path), *sim.args()],
            env=sim.env())
    assert r.returncode == 0, r.stderr
    task = json.loads(r.stdout)
    assert task["status"] == "SUCCESS" and task["progress"] == 1
    assert task["request"]["prompt"] == "json please"
    assert [d["path"] for d in task["downloads"]] == [str(tmp_path / f"{task['taskId']}_0.png")]


def test_credits_and_upload_commands(tmp_path, sim):
    r = run(["credits", "--json", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"credits": 1000}
    image = tmp_path / "in.png"
    tiny_png(image)
    up = run(["upload", str(image), *sim.args()], env=sim.env())
    assert up.returncode == 0, up.stderr
    assert up.stdout.strip().startswith("http://127.0.0.1:") and up.stdout.strip().endswith("in.png")


def test_every_command_has_help_with_an_example():
    for command in [[], ["generate"], ["status"], ["wait"], ["download"], ["credits"], ["upload"], ["batch"],
                    ["webhook"], ["webhook", "verify"], ["serve-sim"], ["ledger"], ["ledger", "migrate"], ["ledger", "status"]]:
        r = run([*command, "--help"])
        assert r.returncode == 0, command
        assert "EXAMPLES:" in r.stdout and "kie-image " in r.stdout.split("EXAMPLES:")[1], command
    top = run(["--help"]).stdout
    for code in ["2  usage", "3  auth", "4  insufficient credits", "5  validation", "6  task failed", "7  timeout",
                 "8  unknown outcome"]:
        assert code in top
