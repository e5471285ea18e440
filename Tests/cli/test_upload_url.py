"""`kie-image upload URL`: an http(s) argument is fetched by the upload host (file-url-upload);
anything else is a local file."""

import json

from clihelpers import run
from test_generate import tiny_png


def test_upload_by_url_returns_the_hosts_copy(tmp_path, sim):
    image = tmp_path / "in.png"
    tiny_png(image)
    first = run(["upload", str(image), *sim.args()], env=sim.env())
    assert first.returncode == 0, first.stderr
    url = first.stdout.strip()
    r = run(["upload", url, "--json", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    answer = json.loads(r.stdout)
    assert answer["downloadUrl"].startswith("http://127.0.0.1:") and answer["downloadUrl"] != url
    assert sim.stats()["requests"].get("upload-url", 0) == 1


def test_a_refused_url_is_a_validation_error(sim):
    sim.configure(faults=[{"endpoint": "upload-url", "action": {
        "bodyCode": 400, "msg": "Missing required parameter: fileUrl (file download URL)"}}])
    r = run(["upload", "https://127.0.0.1:9/x.png", "--json", *sim.args()], env=sim.env())
    assert r.returncode != 0
    assert "VALIDATION" in r.stdout + r.stderr and "sim-key" not in r.stdout + r.stderr
