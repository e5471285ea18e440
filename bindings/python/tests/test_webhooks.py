"""verify_webhook / parse_webhook, on callbacks kie-sim really sent."""

import base64
import hashlib
import hmac
import json
import time

import pytest

import kieimage
from helpers import eventually

WEBHOOK_KEY = "whk-test-key"


def sign(task_id: str, timestamp: int, key: str = WEBHOOK_KEY) -> str:
    mac = hmac.new(key.encode(), f"{task_id}.{timestamp}".encode(), hashlib.sha256).digest()
    return base64.b64encode(mac).decode()


def sim_callback(sim, client):
    """Generates with a callBackUrl on loopback and returns the callback kie-sim recorded."""
    sim.config(webhookKey=WEBHOOK_KEY, callbackRetries=0)
    task = client.run(prompt="called back", size="1:1", callback_url=f"{sim.base_url}/_callback_sink")
    eventually(lambda: any(c["taskId"] == task.task_id and c["signature"] for c in sim.callbacks()),
               "kie-sim to send the callback")
    record = next(c for c in sim.callbacks() if c["taskId"] == task.task_id)
    return task, record


def test_verify_webhook_accepts_a_real_signed_callback(sim, client):
    task, record = sim_callback(sim, client)
    headers = {"X-Webhook-Timestamp": record["timestamp"], "X-Webhook-Signature": record["signature"]}
    event = kieimage.verify_webhook(WEBHOOK_KEY, record["body"].encode(), headers, tolerance=300)
    assert isinstance(event, kieimage.WebhookEvent)
    assert event.task_id == task.task_id and event.code == 200 and event.succeeded
    assert list(event.result_urls) == list(task.result_urls)


def test_verify_webhook_rejects_a_wrong_key(sim, client):
    _, record = sim_callback(sim, client)
    headers = {"x-webhook-timestamp": record["timestamp"], "x-webhook-signature": record["signature"]}
    with pytest.raises(kieimage.SignatureError):
        kieimage.verify_webhook("another-key", record["body"], headers)


def test_header_names_are_case_insensitive_and_pairs_work(sim):
    now = int(time.time())
    body = json.dumps({"code": 200, "msg": "success", "data": {"taskId": "t1", "info": {"result_urls": ["u"]}}})
    pairs = [("x-WEBHOOK-timestamp", str(now)), ("X-Webhook-Signature", sign("t1", now))]
    assert kieimage.verify_webhook(WEBHOOK_KEY, body, pairs).task_id == "t1"


@pytest.mark.parametrize("case", ["missing-signature", "missing-timestamp", "stale", "future", "forged"])
def test_verify_webhook_rejects(sim, case):
    now = int(time.time())
    body = b'{"code":200,"msg":"success","data":{"taskId":"t2","info":null}}'
    ts = {"stale": now - 3600, "future": now + 3600}.get(case, now)
    headers = {"X-Webhook-Timestamp": str(ts), "X-Webhook-Signature": sign("t2", ts)}
    if case == "missing-signature":
        del headers["X-Webhook-Signature"]
    if case == "missing-timestamp":
        del headers["X-Webhook-Timestamp"]
    if case == "forged":
        headers["X-Webhook-Signature"] = sign("another-task", ts)
    with pytest.raises(kieimage.SignatureError):
        kieimage.verify_webhook(WEBHOOK_KEY, body, headers, tolerance=300)


def test_tolerance_and_now_are_honoured(sim):
    ts = 1_700_000_000
    body = b'{"code":500,"msg":"Internal Error","data":{"taskId":"t3","info":null}}'
    headers = {"X-Webhook-Timestamp": str(ts), "X-Webhook-Signature": sign("t3", ts)}
    event = kieimage.verify_webhook(WEBHOOK_KEY, body, headers, tolerance=60, now=ts + 59)
    assert event.task_id == "t3" and event.code == 500 and not event.succeeded
    with pytest.raises(kieimage.SignatureError):
        kieimage.verify_webhook(WEBHOOK_KEY, body, headers, tolerance=60, now=ts + 61)


def test_parse_webhook_without_verification(sim):
    event = kieimage.parse_webhook(b'{"code":200,"msg":"success","data":{"task_id":"t4","info":{"result_urls":["a","b"]}}}')
    assert event.task_id == "t4" and event.result_urls == ("a", "b")
    with pytest.raises(kieimage.KieError):
        kieimage.parse_webhook(b"not json")


def test_verify_webhook_checks_python_types(sim):
    with pytest.raises(TypeError):
        kieimage.verify_webhook(None, b"{}", {})
    with pytest.raises(TypeError):
        kieimage.verify_webhook("k", 123, {})
    with pytest.raises(TypeError):
        kieimage.verify_webhook("k", b"{}", "X-Webhook-Timestamp: 1")
    with pytest.raises(TypeError):
        kieimage.verify_webhook("k", b"{}", {}, tolerance="300")


def test_default_tolerance_is_the_librarys_300_seconds(sim):
    ts = 1_700_000_000
    body = b'{"code":200,"msg":"ok","data":{"taskId":"t4","info":null}}'
    headers = {"X-Webhook-Timestamp": str(ts), "X-Webhook-Signature": sign("t4", ts)}
    assert kieimage.verify_webhook(WEBHOOK_KEY, body, headers, now=ts - 300).task_id == "t4"
    with pytest.raises(kieimage.SignatureError):
        kieimage.verify_webhook(WEBHOOK_KEY, body, headers, now=ts + 301)
    with pytest.raises(ValueError):
        kieimage.verify_webhook(WEBHOOK_KEY, body, headers, tolerance=0, now=ts)
