/*
 * generate: submit one prompt, wait with a progress bar on stderr, print the result URLs.
 *
 *   KIE_API_KEY=... [KIE_BASE_URL=...] generate "A beautiful sunset over the mountains" [1:1|3:2|2:3]
 *
 * Exits 0 on success; otherwise prints the status name and the detail JSON and exits 1.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kieimage.h>

static int fail(const char *what, kie_status st) {
  json_t *detail = json_loads(kie_last_error(), 0, NULL);
  const char *name = json_string_value(json_object_get(detail, "name"));
  fprintf(stderr, "%s failed: %s: %s (%d)\n%s\n", what, name ? name : "?", kie_status_str(st), (int)st, kie_last_error());
  json_decref(detail);
  return 1;
}

/* Progress events arrive on this thread, inside kie_task_wait. */
static void on_event(void *userdata, kie_op op, kie_status status, const char *event_json) {
  (void)userdata; (void)op; (void)status;
  json_t *ev = json_loads(event_json, 0, NULL);
  if (!ev) return;
  double p = json_number_value(json_object_get(ev, "progress"));
  if (!(p >= 0.0)) p = 0.0; /* also NaN */
  if (p > 1.0) p = 1.0;
  int filled = (int)(p * 30.0 + 0.5);
  fprintf(stderr, "\r[%.*s%*s] %3d%%", filled, "##############################", 30 - filled, "", (int)(p * 100.0 + 0.5));
  fflush(stderr);
  json_decref(ev);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROMPT [SIZE]\n", argv[0]);
    return 2;
  }
  const char *size = argc > 2 ? argv[2] : "1:1";

  /* Config: the key and base URL come from the environment (KIE_API_KEY, KIE_BASE_URL) when
     not set here; a short first poll keeps the example snappy. */
  json_t *config = json_pack("{s:{s:i}}", "poll", "initialMs", 500);
  char *config_text = json_dumps(config, JSON_COMPACT);
  json_decref(config);

  kie_client *client = NULL;
  kie_status st = kie_client_new(config_text, &client);
  free(config_text);
  if (st != KIE_OK) return fail("kie_client_new", st);

  json_t *request = json_pack("{s:s, s:s}", "prompt", argv[1], "size", size);
  char *request_text = json_dumps(request, JSON_COMPACT);
  json_decref(request);

  char *submitted = NULL;
  st = kie_generate(client, request_text, &submitted);
  free(request_text);
  if (st != KIE_OK) {
    int rc = fail("kie_generate", st);
    kie_client_free(client);
    return rc;
  }
  json_t *sub = json_loads(submitted, 0, NULL);
  kie_string_free(submitted);
  const char *task_id = json_string_value(json_object_get(sub, "taskId"));
  fprintf(stderr, "task %s\n", task_id ? task_id : "?");
  json_t *warnings = json_object_get(sub, "warnings");
  size_t w;
  json_t *warning;
  json_array_foreach(warnings, w, warning) { fprintf(stderr, "warning: %s\n", json_string_value(warning)); }

  char *task_text = NULL;
  st = kie_task_wait(client, task_id, NULL, on_event, NULL, &task_text);
  fprintf(stderr, "\n");
  json_decref(sub);
  if (st != KIE_OK) {
    int rc = fail("kie_task_wait", st);
    kie_client_free(client);
    return rc;
  }

  json_t *task = json_loads(task_text, 0, NULL);
  kie_string_free(task_text);
  json_t *urls = json_object_get(task, "resultUrls");
  size_t i;
  json_t *url;
  json_array_foreach(urls, i, url) { printf("%s\n", json_string_value(url)); }
  json_decref(task);
  kie_client_free(client);
  return 0;
}
