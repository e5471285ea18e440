#!/usr/bin/env python3
"""Writes the seed inputs of each fuzz target from docs/kie-api.md's real and documented examples.

Usage: make_seeds.py DIR   (creates DIR/<target>/seed-*). run.sh merges these into the checked-in
corpus with -merge=1, so only seeds that add coverage are kept.
"""
import base64, hashlib, hmac, json, os, sys

out = sys.argv[1]
TASK = "5fd1b68dbca66cddf73654e72e2094ea"
PARAM = json.dumps({"enableFallback": False, "fileUrlOrPromptNotEmpty": True, "nVariantsValid": True,
                    "prompt": "A serene mountain lake at sunset with reflections", "size": "1:1"})
URL = f"https://tempfile.aiquickdraw.com/s/{TASK}_0_1774788516_2971.png"

generating = {"taskId": TASK, "paramJson": PARAM, "completeTime": None, "response": None, "successFlag": 0,
              "status": "GENERATING", "errorCode": None, "errorMessage": None, "createTime": 1774788500000,
              "progress": "0.00"}
success = dict(generating, completeTime=1774788518000, response={"resultUrls": [URL]}, successFlag=1,
               status="SUCCESS", progress="1.00")
quick_fail = {"taskId": TASK, "successFlag": 2, "errorCode": 400, "errorMessage": "Image size exceeds maximum of 26214400 bytes",
              "response": {"result_urls": []}, "createTime": "2024-01-15 10:30:00", "completeTime": "2024-01-15 10:31:00",
              "progress": 0.48}
moderation = {"taskId": TASK, "successFlag": 3, "errorMessage": "Internal Error", "status": "GENERATING", "progress": "0.48"}
doc_success = dict(success, errorMessage="", paramJson={"prompt": "x", "size": "3:2"})


def env(data, code=200, msg="success"):
    return json.dumps({"code": code, "msg": msg, "data": data}).encode()


def put(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)


# record-info: byte 0 = HTTP status index (0 -> 200), byte 1 bit 0 = expected taskId known
for name, data in [("generating", generating), ("success", success), ("quickstart-fail", quick_fail),
                   ("moderation", moderation), ("doc-success", doc_success)]:
    put("recordinfo", name, b"\x00\x00" + env(data))
put("recordinfo", "no-taskid", b"\x00\x01" + env({k: v for k, v in generating.items() if k != "taskId"}))
put("recordinfo", "code-422", b"\x00\x00" + env(None, 422, "url is wrong"))
put("recordinfo", "code-455", b"\x00\x00" + env(None, 455, "service unavailable"))
put("recordinfo", "upload-400", b"\x00\x00" + json.dumps({"success": False, "code": 400, "msg": "Missing required parameter: fileUrl (file download URL)"}).encode())
put("recordinfo", "http-503-html", b"\x06\x00<html>503 Service Temporarily Unavailable</html>")
put("recordinfo", "http-429-empty", b"\x04\x00")
put("recordinfo", "credits", b"\x00\x00" + env(5916.25))
put("recordinfo", "download-url", b"\x00\x00" + env("https://x.r2.cloudflarestorage.com/v/x.png?X-Amz-Expires=1200"))
put("recordinfo", "truncated", b"\x00\x00" + env(success)[:97])

# task JSON: a normalized task with and without raw
norm = {"taskId": TASK, "status": "SUCCESS", "successFlag": 1, "progress": 1, "resultUrls": [URL], "errorCode": None,
        "errorMessage": None, "createTime": 1774788500000, "completeTime": 1774788518000, "request": json.loads(PARAM)}
put("taskjson", "normalized", json.dumps(norm).encode())
put("taskjson", "with-raw", json.dumps(dict(norm, raw=success)).encode())
put("taskjson", "raw-record-info", json.dumps(quick_fail).encode())
put("taskjson", "snake", json.dumps({"taskId": "t1", "status": "GENERATE_FAILED", "result_urls": [], "errorCode": "500", "errorMessage": "Failed to generate image"}).encode())

# request bodies (docs/kie-api.md §1a)
reqs = {
    "text": {"prompt": "A beautiful sunset over the mountains", "size": "1:1"},
    "all": {"prompt": "edit", "filesUrl": ["https://example.com/a.png", "https://example.com/b.webp"], "size": "3:2",
            "nVariants": 4, "maskUrl": "https://example.com/mask.png", "callBackUrl": "https://example.com/cb?token=x",
            "isEnhance": True, "uploadCn": False, "enableFallback": True, "fallbackModel": "GPT_IMAGE_1"},
    "fileurl": {"fileUrl": "http://[::1]:8080/img.JPG", "size": "2:3"},
    "bad-ext": {"filesUrl": ["https://example.com/a.gif"], "size": "1:1"},
    "unknown": {"prompt": "x", "size": "1:1", "model": "4o"},
}
for name, r in reqs.items():
    put("request", name, json.dumps(r).encode())

# Market requests (docs/kie-market-api.md §2, §5): byte 0 picks the model (0-7 the GPT image
# presets in ModelPresets.all order, 8 a generic id, 9 none: the rest is a whole request)
real_input = {"prompt": "Restyle this product image as a premium studio advertisement with soft rim lighting and a matte charcoal backdrop.",
              "input_urls": ["https://static.aiquickdraw.com/tools/example/1764851484363_ScV1s2aq.webp"],
              "aspect_ratio": "16:9", "resolution": "1K"}
put("request", "market-real", json.dumps({"model": "gpt-image-2-5-flare-image-to-image", "input": real_input}).encode())
put("request", "kie-4o-example", json.dumps({"filesUrl": ["https://example.com/image1.png", "https://example.com/image2.png"],
    "prompt": "A beautiful sunset over the mountains", "size": "1:1", "callBackUrl": "https://your-callback-url.com/callback",
    "isEnhance": False, "uploadCn": False, "nVariants": 1, "enableFallback": False, "fallbackModel": "FLUX_MAX", "tag": "row-1"}).encode())
market_inputs = [
    (0, {"prompt": "x"}), (1, {"prompt": "x", "input_urls": ["https://e.com/a.png"], "quality": "high"}),
    (2, {"prompt": "x", "aspect_ratio": "1:1", "resolution": "4K"}), (2, {"prompt": "x", "resolution": "2K"}),
    (3, {"prompt": "x", "input_urls": ["https://e.com/a.png"], "aspect_ratio": "5:4", "resolution": "1K", "nsfw_checker": False}),
    (4, {"prompt": "x", "aspect_ratio": "27:16", "resolution": "2K", "background": "transparent"}),
    (5, real_input), (8, {"prompt": "x", "image_input": [], "output_format": "png"}),
]
for i, (pick, inp) in enumerate(market_inputs):
    put("marketrequest", f"input-{i}", bytes([pick]) + json.dumps(inp).encode())
put("marketrequest", "whole", b"\x09" + json.dumps({"model": "gpt-image-2-text-to-image", "input": {"prompt": "p"},
    "callBackUrl": "https://e.com/cb", "tag": "t"}).encode())

# Market recordInfo (docs/kie-market-api.md §3b), running and success 2026-09-11, failures 2026-04
mk_param = json.dumps({"input": json.dumps({"aspect_ratio": "16:9", "prompt": "A lighthouse on a rocky headland at dusk, warm lamp glow against a violet sky, photorealistic."}, separators=(",", ":")),
                       "model": "gpt-image-2-5-flare-text-to-image"}, separators=(",", ":"))
mk_url = "https://tempfile.aiquickdraw.com/images/chatgpt/file_00000000d72c81f583619ddba0f6125a.png"
mk_running = {"taskId": "366e2065ed94e590a9e1201e1f1e1704", "model": "gpt-image-2-5-flare-text-to-image", "state": "generating",
              "param": mk_param, "resultJson": "", "failCode": None, "failMsg": None, "costTime": None, "completeTime": None,
              "createTime": 1789126694807, "creditsConsumed": 6.0, "operationType": "gpt-image-2-5-flare-text-to-image",
              "successFlag": 0, "paramJson": mk_param}
mk_success = dict(mk_running, state="success", resultJson=json.dumps({"resultUrls": [mk_url]}), costTime=66,
                  completeTime=1789126761759, response={"resultUrls": [mk_url]}, successFlag=1)
mk_april = {k: v for k, v in mk_running.items() if k not in ("creditsConsumed", "operationType", "successFlag", "paramJson")}
mk_fail = {"taskId": "caaa5d964f44ac218c7db5ab6c50cf69", "model": "bytedance/seedance-2-fast", "state": "fail", "param": "…",
           "resultJson": "", "failCode": "422", "failMsg": "generate playground failed, task id is blank", "costTime": None,
           "completeTime": None, "createTime": 1775800223443}
mk_cb_fail = {"taskId": "t", "model": "m", "state": "fail", "param": "{}", "failCode": 501, "failMsg": "The generation task failed.",
              "resultJson": None}
for name, d in [("running", mk_running), ("success", mk_success), ("april", mk_april), ("fail", mk_fail), ("callback-fail", mk_cb_fail)]:
    put("marketrecord", name, env(d))
put("marketrecord", "progress", json.dumps({"taskId": "t", "state": "queuing", "progress": 48}).encode())
put("marketrecord", "not-found", env(None, 422, "recordInfo is null"))

# configs (docs/c-api.md, "Config JSON"); byte 0 = env flags (1: KIE_API_KEY, 2: KIE_BASE_URL, 4: empty KIE_BASE_URL)
put("config", "full", b"\x00" + json.dumps({
    "apiKey": "kie-canary-seed", "baseUrl": "http://127.0.0.1:8080/", "uploadBaseUrl": "https://kieai.redpandaai.co",
    "requestTimeoutMs": 30000, "connectTimeoutMs": 10000, "maxRetries": 3, "retryBaseMs": 500, "retryMaxMs": 8000,
    "poll": {"initialMs": 1500, "maxMs": 10000, "multiplier": 1.5, "deadlineMs": 900000},
    "rateLimit": {"requests": 20, "perMs": 10000}, "userAgent": "ua", "webhookKey": "k", "journalPath": "/tmp/j",
    "delivery": "queue", "logLevel": "debug"}).encode())
put("config", "env-only", b"\x03")
put("config", "empty-obj", b"\x01{}")
put("config", "bad-level", b"\x01" + json.dumps({"logLevel": "loud", "poll": {"multiplier": 0.5}}).encode())

# wait options; byte 0 = 0 means nil text
put("waitopts", "full", b"\x01" + json.dumps({"deadlineMs": 600000, "initialMs": 0, "maxMs": 15000, "download": {"dir": "out/"}}).encode())
put("waitopts", "nil", b"\x00")
put("waitopts", "bad", b"\x01" + json.dumps({"download": {"dir": ""}, "deadlineMs": "1"}).encode())

# webhooks: key \n timestamp \n signature \n now \n body (docs/kie-api.md §3, §3a)
cb_ok = {"code": 200, "msg": "success", "data": {"taskId": "task12345", "info": {"result_urls": ["https://example.com/result/image1.png"]}}}
cb_fail = {"code": 400, "msg": "Your content was flagged by OpenAI as violating content policies", "data": {"taskId": "task12345", "info": None}}
guide = {"taskId": "task12345", "code": 200, "data": {"task_id": "task12345", "callbackType": "task_completed"}}
key, ts = "kie-canary-seed-hmac", 1769670760
def sig(task, t=ts, k=key):
    return base64.b64encode(hmac.new(k.encode(), f"{task}.{t}".encode(), hashlib.sha256).digest()).decode()
def hook(k, t, s, now, body):
    return "\n".join([k, t, s, str(now), ""]).encode() + json.dumps(body).encode()
put("webhook", "valid", hook(key, str(ts), sig("task12345"), ts, cb_ok))
put("webhook", "failure", hook(key, str(ts), sig("task12345"), ts + 299, cb_fail))
put("webhook", "guide", hook(key, str(ts), "KxDlpbbq0GDOKqm0+FuJpJWTzY8baHSjhEt4kwElqQI=", ts, guide))
put("webhook", "stale", hook(key, str(ts), sig("task12345"), ts + 301, cb_ok))
put("webhook", "missing", hook(key, "-", "-", ts, cb_ok))
put("webhook", "wrong-key", hook(key, str(ts), sig("task12345", k="other"), ts, cb_ok))
