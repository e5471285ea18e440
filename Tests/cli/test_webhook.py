import base64
import hashlib
import hmac
import json
import time

from clihelpers import run

KEY = "whk-test-key"
BODY = json.dumps({"code": 200, "msg": "success",
                   "data": {"taskId": "task12345", "info": {"result_urls": ["https://example.com/r.png"]}}})


def sign(task_id, ts, key=KEY):
    return base64.b64encode(hmac.new(key.encode(), f"{task_id}.{ts}".encode(), hashlib.sha256).digest()).decode()


def test_valid_signature_prints_the_event(tmp_path):
    body = tmp_path / "cb.json"
    body.write_text(BODY)
    ts = int(time.time())
    r = run(["webhook", "verify", "--key", KEY, "--body", str(body), "--timestamp", str(ts),
             "--signature", sign("task12345", ts)])
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["valid"] is True and out["event"]["taskId"] == "task12345"


def test_body_from_stdin_and_key_from_env(tmp_path):
    ts = 1769670760
    env = {"KIE_WEBHOOK_KEY": KEY, "PATH": "/usr/bin:/bin"}
    r = run(["webhook", "verify", "--timestamp", str(ts), "--signature", sign("task12345", ts), "--now", str(ts + 10)],
            env=env, input=BODY)
    assert r.returncode == 0, r.stderr


def test_wrong_or_stale_signature_exits_9_and_never_prints_the_key(tmp_path):
    ts = int(time.time())
    r = run(["webhook", "verify", "--key", KEY, "--timestamp", str(ts), "--signature", sign("task12345", ts, "other")],
            input=BODY)
    assert r.returncode == 9
    assert r.stderr.startswith("kie-image: error: SIGNATURE:")
    stale = ts - 3600
    r = run(["webhook", "verify", "--key", KEY, "--timestamp", str(stale), "--signature", sign("task12345", stale)],
            input=BODY)
    assert r.returncode == 9
    assert KEY not in r.stdout + r.stderr


def test_confirm_reads_the_task_from_record_info(tmp_path, sim):
    created = run(["generate", "--prompt", "confirmed by record-info", "--size", "1:1", "--no-wait", *sim.args()],
                  env=sim.env())
    assert created.returncode == 0, created.stderr
    task_id = created.stdout.split()[-1]
    body = tmp_path / "cb.json"
    body.write_text(json.dumps({"code": 200, "msg": "success", "data": {"taskId": task_id, "info": {}}}))
    ts = int(time.time())
    r = run(["webhook", "verify", "--key", KEY, "--body", str(body), "--timestamp", str(ts),
             "--signature", sign(task_id, ts), "--confirm", *sim.args()], env=sim.env())
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["valid"] is True and out["event"]["taskId"] == task_id
    assert out["task"]["taskId"] == task_id
    # A wrong signature is refused before the task is read.
    r = run(["webhook", "verify", "--key", KEY, "--body", str(body), "--timestamp", str(ts),
             "--signature", sign(task_id, ts, "other"), "--confirm", *sim.args()], env=sim.env())
    assert r.returncode == 9 and "task" not in json.loads(r.stdout) and "SIGNATURE" in r.stderr
