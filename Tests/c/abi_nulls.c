/* Every exported function given NULL (and other hostile input) returns a status and sets
   kie_last_error; none crashes. Run by `make test-c`; prints "N passed, N failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kieimage.h>

static int passed, failed;

static void expect(const char *what, kie_status got, kie_status want) {
  const char *detail = kie_last_error();
  int ok = got == want && (want == KIE_OK || (detail && strstr(detail, "\"status\"") != NULL));
  if (ok) {
    passed++;
  } else {
    failed++;
    fprintf(stderr, "FAIL %s: got %d (%s), want %d; detail %s\n", what, (int)got, kie_status_str(got), (int)want, detail);
  }
}

static void noop_event(void *userdata, kie_op op, kie_status status, const char *event_json) {
  (void)userdata; (void)op; (void)status; (void)event_json;
}

static void check(const char *what, int cond) {
  if (cond) passed++; else { failed++; fprintf(stderr, "FAIL %s\n", what); }
}

int main(void) {
  char *out = NULL;
  kie_client *client = NULL;

  {
    char header_version[32];
    snprintf(header_version, sizeof header_version, "%d.%d.%d", KIE_VERSION_MAJOR, KIE_VERSION_MINOR, KIE_VERSION_PATCH);
    check("version matches header", strcmp(kie_version(), header_version) == 0);
  }
  check("abi version", kie_abi_version() == KIE_ABI_VERSION);
  check("status_str never NULL", kie_status_str((kie_status)12345) != NULL);
  check("status_str ok", strcmp(kie_status_str(KIE_OK), "ok") == 0);
  check("last_error empty before any failure", strcmp(kie_last_error(), "") == 0);
  kie_string_free(NULL);

  expect("client_new NULL out", kie_client_new("{}", NULL), KIE_E_INVALID_ARGUMENT);
  expect("client_new bad json", kie_client_new("{", &client), KIE_E_INVALID_ARGUMENT);
  check("client_new bad json leaves out NULL", client == NULL);
  expect("client_new unknown key", kie_client_new("{\"apiKey\":\"k\",\"bogus\":1}", &client), KIE_E_INVALID_ARGUMENT);
  check("unknown key named", strstr(kie_last_error(), "bogus") != NULL);
  expect("client_new invalid utf8", kie_client_new("{\"apiKey\":\"\xff\xfe\"}", &client), KIE_E_INVALID_ARGUMENT);
  kie_client_free(NULL);

  expect("request_build NULL request", kie_request_build(NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("request_build NULL out", kie_request_build("{\"size\":\"1:1\",\"prompt\":\"x\"}", NULL), KIE_E_INVALID_ARGUMENT);
  expect("request_build bad size", kie_request_build("{\"size\":\"4:3\",\"prompt\":\"x\"}", &out), KIE_E_VALIDATION);
  check("bad size names field", strstr(kie_last_error(), "\"field\":\"size\"") != NULL);
  expect("request_build ok", kie_request_build("{\"prompt\":\"x\",\"size\":\"1:1\"}", &out), KIE_OK);
  check("request_build body", out && strcmp(out, "{\"prompt\":\"x\",\"size\":\"1:1\"}") == 0);
  kie_string_free(out);
  out = NULL;

  expect("generate NULL client", kie_generate(NULL, "{}", &out), KIE_E_INVALID_ARGUMENT);
  expect("task_get NULL client", kie_task_get(NULL, "abc", &out), KIE_E_INVALID_ARGUMENT);
  expect("task_wait NULL client", kie_task_wait(NULL, "abc", NULL, NULL, NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("download NULL client", kie_download(NULL, "{}", "/tmp", &out), KIE_E_INVALID_ARGUMENT);
  expect("upload_url NULL client", kie_upload_url(NULL, "http://127.0.0.1:9/a.png", NULL, &out), KIE_E_INVALID_ARGUMENT);

  /* A client that points at a closed port: only argument checks are exercised here. */
  expect("client_new ok", kie_client_new("{\"apiKey\":\"kie-canary-nulls\",\"baseUrl\":\"http://127.0.0.1:9\"}", &client), KIE_OK);
  expect("generate NULL request", kie_generate(client, NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("generate NULL out", kie_generate(client, "{\"prompt\":\"x\",\"size\":\"1:1\"}", NULL), KIE_E_INVALID_ARGUMENT);
  expect("generate invalid request", kie_generate(client, "{\"prompt\":\"x\",\"size\":\"9:9\"}", &out), KIE_E_VALIDATION);
  expect("task_get NULL id", kie_task_get(client, NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("task_get NULL out", kie_task_get(client, "abc", NULL), KIE_E_INVALID_ARGUMENT);
  expect("task_get bad id", kie_task_get(client, "a/../b?x=1", &out), KIE_E_INVALID_ARGUMENT);
  expect("task_wait NULL id", kie_task_wait(client, NULL, NULL, NULL, NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("task_wait NULL out", kie_task_wait(client, "abc", NULL, NULL, NULL, NULL), KIE_E_INVALID_ARGUMENT);
  expect("task_wait bad wait json", kie_task_wait(client, "abc", "[", NULL, NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("download NULL task", kie_download(client, NULL, "/tmp", &out), KIE_E_INVALID_ARGUMENT);
  expect("download NULL dir", kie_download(client, "{\"taskId\":\"a\",\"status\":\"SUCCESS\"}", NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("download NULL out", kie_download(client, "{}", "/tmp", NULL), KIE_E_INVALID_ARGUMENT);
  expect("upload_url NULL url", kie_upload_url(client, NULL, NULL, &out), KIE_E_INVALID_ARGUMENT);
  expect("upload_url NULL out", kie_upload_url(client, "http://127.0.0.1:9/a.png", NULL, NULL), KIE_E_INVALID_ARGUMENT);
  expect("upload_url not http", kie_upload_url(client, "file:///etc/passwd", NULL, &out), KIE_E_INVALID_ARGUMENT);
  check("upload_url names fileUrl", strstr(kie_last_error(), "\"field\":\"fileUrl\"") != NULL);
  expect("upload_url bad options", kie_upload_url(client, "http://127.0.0.1:9/a.png", "{\"bogus\":1}", &out), KIE_E_INVALID_ARGUMENT);
  {
    kie_op op = 0;
    expect("download_async NULL client", kie_download_async(NULL, "{}", "/tmp", noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("download_async NULL task", kie_download_async(client, NULL, "/tmp", noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("download_async NULL dir", kie_download_async(client, "{\"taskId\":\"a\",\"status\":\"SUCCESS\"}", NULL, noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("download_async NULL callback", kie_download_async(client, "{\"taskId\":\"a\",\"status\":\"SUCCESS\"}", "/tmp", NULL, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("download_async NULL out", kie_download_async(client, "{\"taskId\":\"a\",\"status\":\"SUCCESS\"}", "/tmp", noop_event, NULL, NULL), KIE_E_INVALID_ARGUMENT);
    expect("upload_file_async NULL client", kie_upload_file_async(NULL, "/etc/hostname", NULL, noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("upload_file_async NULL path", kie_upload_file_async(client, NULL, NULL, noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("upload_file_async NULL callback", kie_upload_file_async(client, "/etc/hostname", NULL, NULL, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("upload_file_async NULL out", kie_upload_file_async(client, "/etc/hostname", NULL, noop_event, NULL, NULL), KIE_E_INVALID_ARGUMENT);
    expect("upload_file_async bad options", kie_upload_file_async(client, "/etc/hostname", "[", noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("upload_url_async NULL client", kie_upload_url_async(NULL, "http://127.0.0.1:9/a.png", NULL, noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("upload_url_async NULL url", kie_upload_url_async(client, NULL, NULL, noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("upload_url_async NULL callback", kie_upload_url_async(client, "http://127.0.0.1:9/a.png", NULL, NULL, NULL, &op), KIE_E_INVALID_ARGUMENT);
    expect("upload_url_async NULL out", kie_upload_url_async(client, "http://127.0.0.1:9/a.png", NULL, noop_event, NULL, NULL), KIE_E_INVALID_ARGUMENT);
    check("no operation started", op == 0);
    expect("generate_async bad wait flag", kie_generate_async(client, "{\"prompt\":\"x\",\"size\":\"1:1\"}", "{\"wait\":1}", noop_event, NULL, &op), KIE_E_INVALID_ARGUMENT);
    check("wait flag named", strstr(kie_last_error(), "\"field\":\"wait\"") != NULL);
  }
  kie_client_free(client);

  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
