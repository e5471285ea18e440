/* Webhook verification: a good signature (computed here with a tiny embedded HMAC-SHA256, itself
   checked against RFC 4231 and, when given, against Python's hmac module) and every attack:
   wrong key, timestamps outside the window both ways, missing or empty headers, a signature for
   another task (swapped taskId), a replayed signature with a new timestamp, tampered and
   differently encoded signatures. No network, no client.
     webhook_verify [KEY TASK_ID TIMESTAMP SIGNATURE]   (the optional 4 are Python's answer)
   Prints "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include <time.h>

#include "hmac_sha256.h"
#include "testutil.h"

static const char *KEY = "whsec-test-key";
static const char *TASK = "task_4o_abc123";
static const char *TS = "1700000000";
static const int64_t NOW = 1700000000;

static char body[512];

static void make_body(const char *shape, const char *task_id) {
  if (strcmp(shape, "data.taskId") == 0)
    snprintf(body, sizeof body, "{\"code\":200,\"msg\":\"success\",\"data\":{\"taskId\":\"%s\",\"info\":{\"result_urls\":[\"http://127.0.0.1/a.png\"]}}}", task_id);
  else if (strcmp(shape, "data.task_id") == 0)
    snprintf(body, sizeof body, "{\"code\":200,\"msg\":\"success\",\"data\":{\"task_id\":\"%s\",\"info\":{\"result_urls\":[\"http://127.0.0.1/a.png\"]}}}", task_id);
  else if (strcmp(shape, "taskId") == 0)
    snprintf(body, sizeof body, "{\"code\":400,\"msg\":\"failed\",\"taskId\":\"%s\",\"data\":null}", task_id);
  else
    snprintf(body, sizeof body, "{\"code\":400,\"msg\":\"failed\",\"task_id\":\"%s\"}", task_id);
}

static kie_status verify(const char *key, const char *ts, const char *sig, int64_t now, int32_t tol, char **out) {
  return kie_webhook_verify(key, body, strlen(body), ts, sig, now, tol, out);
}

/* Expects KIE_E_SIGNATURE, no event, and the detail naming the body's task. */
static void expect_rejected(const char *what, kie_status st, char **outp, const char *task_id) {
  char *out = *outp;
  *outp = NULL;
  char w[160];
  snprintf(w, sizeof w, "attack: %s", what);
  t_expect(st, KIE_E_SIGNATURE, __FILE__, __LINE__, w);
  CHECK(out == NULL, "%s: no event", what);
  kie_string_free(out);
  if (task_id) CHECK(strstr(kie_last_error(), task_id) != NULL, "%s: detail names the task: %s", what, kie_last_error());
}

static void expect_accepted(const char *what, kie_status st, char **outp, const char *task_id) {
  char *out = *outp;
  *outp = NULL;
  char w[160];
  snprintf(w, sizeof w, "accept: %s", what);
  t_expect(st, KIE_OK, __FILE__, __LINE__, w);
  json_t *ev = out ? json_loads(out, 0, NULL) : NULL;
  CHECK(ev != NULL, "%s: event JSON", what);
  const char *id = json_string_value(json_object_get(ev, "taskId"));
  CHECK(id && strcmp(id, task_id) == 0, "%s: taskId %s", what, id ? id : "(none)");
  CHECK(json_object_get(ev, "raw") != NULL, "%s: raw body kept", what);
  json_decref(ev);
  kie_string_free(out);
}

int main(int argc, char **argv) {
  char sig[45], other[45];
  char *out = NULL;

  /* the embedded HMAC against RFC 4231 test case 2 */
  {
    uint8_t mac[32];
    char hex[65];
    int i;
    hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac);
    for (i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    CHECK(strcmp(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843") == 0, "RFC 4231 case 2: %s", hex);
    char key131[132];
    memset(key131, 0xaa, 131);
    hmac_sha256(key131, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54, mac);
    for (i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    CHECK(strcmp(hex, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54") == 0, "RFC 4231 case 6: %s", hex);
  }
  /* and against Python's hmac, when the runner passes its answer */
  if (argc == 5) {
    kie_test_sign(argv[1], argv[2], argv[3], sig);
    CHECK(strcmp(sig, argv[4]) == 0, "embedded HMAC equals Python's: %s vs %s", sig, argv[4]);
    snprintf(body, sizeof body, "{\"code\":200,\"data\":{\"taskId\":\"%s\"}}", argv[2]);
    out = NULL;
    expect_accepted("Python-signed callback", verify(argv[1], argv[3], argv[4], strtoll(argv[3], NULL, 10), 0, &out), &out, argv[2]);
  }

  /* good signatures, every task id location */
  {
    const char *shapes[] = {"data.taskId", "data.task_id", "taskId", "task_id"};
    size_t k;
    kie_test_sign(KEY, TASK, TS, sig);
    for (k = 0; k < 4; k++) {
      make_body(shapes[k], TASK);
      out = NULL;
      expect_accepted(shapes[k], verify(KEY, TS, sig, NOW, 0, &out), &out, TASK);
    }
  }
  make_body("data.taskId", TASK);
  kie_test_sign(KEY, TASK, TS, sig);
  {
    out = NULL;
    kie_status st = verify(KEY, TS, sig, NOW, 0, &out);
    json_t *ev = out ? json_loads(out, 0, NULL) : NULL;
    CHECK(st == KIE_OK && json_is_true(json_object_get(ev, "success")) && json_integer_value(json_object_get(ev, "code")) == 200 &&
              json_array_size(json_object_get(ev, "resultUrls")) == 1,
          "event fields: %s", out ? out : "(none)");
    json_decref(ev);
    kie_string_free(out);
  }
  /* the body need not be NUL-terminated: only body_len bytes are read */
  {
    char buf[600];
    size_t len = strlen(body);
    memcpy(buf, body, len);
    memcpy(buf + len, "GARBAGE", 8);
    out = NULL;
    kie_status st = kie_webhook_verify(KEY, buf, len, TS, sig, NOW, 0, &out);
    expect_accepted("body with bytes after body_len", st, &out, TASK);
  }

  /* the time window: inclusive 300 s both ways by default, then outside */
  out = NULL; expect_accepted("now = ts + 300", verify(KEY, TS, sig, NOW + 300, 0, &out), &out, TASK);
  out = NULL; expect_accepted("now = ts - 300", verify(KEY, TS, sig, NOW - 300, 0, &out), &out, TASK);
  out = NULL; expect_rejected("timestamp 301 s old", verify(KEY, TS, sig, NOW + 301, 0, &out), &out, TASK);
  out = NULL; expect_rejected("timestamp 301 s in the future", verify(KEY, TS, sig, NOW - 301, 0, &out), &out, TASK);
  out = NULL; expect_rejected("timestamp a day old", verify(KEY, TS, sig, NOW + 86400, 0, &out), &out, TASK);
  out = NULL; expect_rejected("timestamp 0 (epoch)", verify(KEY, "0", sig, NOW, 0, &out), &out, TASK);
  out = NULL; expect_accepted("custom tolerance 10, 10 s old", verify(KEY, TS, sig, NOW + 10, 10, &out), &out, TASK);
  out = NULL; expect_rejected("custom tolerance 10, 11 s old", verify(KEY, TS, sig, NOW + 11, 10, &out), &out, TASK);
  out = NULL; expect_rejected("custom tolerance 10, 11 s ahead", verify(KEY, TS, sig, NOW - 11, 10, &out), &out, TASK);
  /* the system clock (now_unix_s 0) */
  {
    char ts_now[32], s2[45];
    time_t t = time(NULL);
    snprintf(ts_now, sizeof ts_now, "%lld", (long long)t);
    kie_test_sign(KEY, TASK, ts_now, s2);
    out = NULL; expect_accepted("system clock, fresh", verify(KEY, ts_now, s2, 0, 0, &out), &out, TASK);
    snprintf(ts_now, sizeof ts_now, "%lld", (long long)t - 3600);
    kie_test_sign(KEY, TASK, ts_now, s2);
    out = NULL; expect_rejected("system clock, an hour old", verify(KEY, ts_now, s2, 0, 0, &out), &out, TASK);
    snprintf(ts_now, sizeof ts_now, "%lld", (long long)t + 3600);
    kie_test_sign(KEY, TASK, ts_now, s2);
    out = NULL; expect_rejected("system clock, an hour ahead", verify(KEY, ts_now, s2, 0, 0, &out), &out, TASK);
  }

  /* wrong keys */
  out = NULL; expect_rejected("wrong key", verify("whsec-test-kez", TS, sig, NOW, 0, &out), &out, TASK);
  out = NULL; expect_rejected("key prefix", verify("whsec-test-ke", TS, sig, NOW, 0, &out), &out, TASK);
  out = NULL; expect_rejected("key with suffix", verify("whsec-test-key ", TS, sig, NOW, 0, &out), &out, TASK);
  out = NULL; EXPECT_STATUS(verify("", TS, sig, NOW, 0, &out), KIE_E_INVALID_ARGUMENT); kie_string_free(out);
  out = NULL; EXPECT_STATUS(verify(NULL, TS, sig, NOW, 0, &out), KIE_E_INVALID_ARGUMENT); kie_string_free(out);

  /* missing or empty headers */
  out = NULL; expect_rejected("missing timestamp", verify(KEY, NULL, sig, NOW, 0, &out), &out, TASK);
  out = NULL; expect_rejected("empty timestamp", verify(KEY, "", sig, NOW, 0, &out), &out, TASK);
  out = NULL; expect_rejected("blank timestamp", verify(KEY, "   ", sig, NOW, 0, &out), &out, TASK);
  out = NULL; expect_rejected("missing signature", verify(KEY, TS, NULL, NOW, 0, &out), &out, TASK);
  out = NULL; expect_rejected("empty signature", verify(KEY, TS, "", NOW, 0, &out), &out, TASK);
  out = NULL; expect_rejected("both headers missing", verify(KEY, NULL, NULL, NOW, 0, &out), &out, TASK);

  /* a signature for another task: the swapped-taskId attack */
  {
    kie_test_sign(KEY, "task_4o_other999", TS, other);
    out = NULL; expect_rejected("signature of another task", verify(KEY, TS, other, NOW, 0, &out), &out, TASK);
    make_body("data.taskId", "task_4o_other999");
    out = NULL; expect_accepted("that signature with its own task", verify(KEY, TS, other, NOW, 0, &out), &out, "task_4o_other999");
    out = NULL; expect_rejected("our signature on the other task's body", verify(KEY, TS, sig, NOW, 0, &out), &out, "task_4o_other999");
    /* taskId in data wins over a top-level one that the attacker controls */
    snprintf(body, sizeof body, "{\"code\":200,\"taskId\":\"%s\",\"data\":{\"taskId\":\"task_4o_other999\"}}", TASK);
    out = NULL; expect_rejected("top-level taskId does not override data.taskId", verify(KEY, TS, sig, NOW, 0, &out), &out, NULL);
    make_body("data.taskId", TASK);
  }

  /* replay: a valid signature with a new timestamp header */
  out = NULL; expect_rejected("replayed signature, new timestamp", verify(KEY, "1700000100", sig, NOW + 100, 0, &out), &out, TASK);

  /* tampered and mis-encoded signatures */
  {
    char t[64];
    size_t k;
    strcpy(t, sig);
    t[0] = t[0] == 'A' ? 'B' : 'A';
    out = NULL; expect_rejected("first character changed", verify(KEY, TS, t, NOW, 0, &out), &out, TASK);
    strcpy(t, sig);
    t[strlen(t) - 2] = t[strlen(t) - 2] == 'A' ? 'E' : 'A';
    out = NULL; expect_rejected("last data character changed", verify(KEY, TS, t, NOW, 0, &out), &out, TASK);
    strcpy(t, sig);
    t[20] = '\0';
    out = NULL; expect_rejected("truncated", verify(KEY, TS, t, NOW, 0, &out), &out, TASK);
    snprintf(t, sizeof t, "%sAAAA", sig);
    out = NULL; expect_rejected("extended", verify(KEY, TS, t, NOW, 0, &out), &out, TASK);
    out = NULL; expect_rejected("not base64", verify(KEY, TS, "!!!!not-base64!!!!", NOW, 0, &out), &out, TASK);
    /* lowercase hex of the MAC, HMAC over "ts.taskId", HMAC over taskId+ts without the dot */
    {
      uint8_t mac[32];
      char msg[128], hex[65];
      int i;
      snprintf(msg, sizeof msg, "%s.%s", TASK, TS);
      hmac_sha256(KEY, strlen(KEY), msg, strlen(msg), mac);
      for (i = 0; i < 32; i++) snprintf(hex + 2 * i, 3, "%02x", mac[i]);
      out = NULL; expect_rejected("hex instead of base64", verify(KEY, TS, hex, NOW, 0, &out), &out, TASK);
      kie_test_sign(KEY, TS, TASK, t);
      out = NULL; expect_rejected("HMAC over ts.taskId", verify(KEY, TS, t, NOW, 0, &out), &out, TASK);
      snprintf(msg, sizeof msg, "%s%s", TASK, TS);
      hmac_sha256(KEY, strlen(KEY), msg, strlen(msg), mac);
      base64_encode(mac, 32, t);
      out = NULL; expect_rejected("HMAC without the dot", verify(KEY, TS, t, NOW, 0, &out), &out, TASK);
      snprintf(msg, sizeof msg, "%s.%s", TASK, TS);
      {
        sha256_ctx c;
        sha256_init(&c);
        sha256_update(&c, msg, strlen(msg));
        sha256_final(&c, mac);
      }
      base64_encode(mac, 32, t);
      out = NULL; expect_rejected("plain SHA-256, no key", verify(KEY, TS, t, NOW, 0, &out), &out, TASK);
    }
    /* a timestamp spelled differently is a different signed message */
    out = NULL; expect_rejected("timestamp with leading zero", verify(KEY, "01700000000", sig, NOW, 0, &out), &out, TASK);
    out = NULL; expect_rejected("timestamp not a number", verify(KEY, "yesterday", sig, NOW, 0, &out), &out, TASK);
    out = NULL; expect_rejected("timestamp in milliseconds", verify(KEY, "1700000000000", sig, NOW, 0, &out), &out, TASK);
    for (k = 0; k < 3; k++) {
      const char *zeros[] = {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "////////////////////////////////////////////8=",
                             "================================================"};
      out = NULL; expect_rejected(zeros[k], verify(KEY, TS, zeros[k], NOW, 0, &out), &out, TASK);
    }
  }

  /* kie_webhook_parse: no signature check, same event */
  {
    out = NULL;
    EXPECT_STATUS(kie_webhook_parse(body, strlen(body), &out), KIE_OK);
    json_t *ev = out ? json_loads(out, 0, NULL) : NULL;
    CHECK(json_string_value(json_object_get(ev, "taskId")) && strcmp(json_string_value(json_object_get(ev, "taskId")), TASK) == 0,
          "parse: taskId");
    json_decref(ev);
    kie_string_free(out);
    out = NULL;
    EXPECT_STATUS(kie_webhook_parse("{\"code\":200,\"data\":{}}", 22, &out), KIE_E_INVALID_ARGUMENT);
    CHECK(out == NULL, "parse without taskId: no event");
    out = NULL;
    EXPECT_STATUS(kie_webhook_parse("{\"code\":200,\"data\":{\"taskId\":\"\"}}", 34, &out), KIE_E_INVALID_ARGUMENT);
  }
  return t_summary();
}
