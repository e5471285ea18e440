/*
 * webhook: verify and parse one kie callback. The body comes on stdin (as received, byte for
 * byte); the X-Webhook-Timestamp and X-Webhook-Signature header values and the webhook key are
 * arguments.
 *
 *   webhook KEY TIMESTAMP SIGNATURE [TOLERANCE_S [NOW_UNIX_S]] < body.json
 *
 * Prints the event JSON ({"taskId","code","msg","success","resultUrls","raw"}) on stdout and
 * exits 0 when the signature is good and the timestamp within the window (default 300 s of the
 * system clock). Otherwise prints the status name and the detail JSON and exits 1.
 * The body is not covered by kie's signature: confirm the outcome with kie_task_get before
 * acting on it.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kieimage.h>

static int fail(kie_status st) {
  json_t *detail = json_loads(kie_last_error(), 0, NULL);
  const char *name = json_string_value(json_object_get(detail, "name"));
  fprintf(stderr, "webhook rejected: %s: %s (%d)\n%s\n", name ? name : "?", kie_status_str(st), (int)st, kie_last_error());
  json_decref(detail);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 4 || argc > 6) {
    fprintf(stderr, "usage: %s KEY TIMESTAMP SIGNATURE [TOLERANCE_S [NOW_UNIX_S]] < body\n", argv[0]);
    return 2;
  }
  int32_t tolerance = argc > 4 ? (int32_t)strtol(argv[4], NULL, 10) : 0;
  int64_t now = argc > 5 ? (int64_t)strtoll(argv[5], NULL, 10) : 0;

  /* Read the whole body (it may contain any byte; kie_webhook_verify takes a length). */
  size_t len = 0, cap = 4096;
  char *body = malloc(cap);
  if (!body) return 1;
  for (;;) {
    if (len == cap) {
      if (cap >= (size_t)64 << 20) {
        fprintf(stderr, "body larger than 64 MiB\n");
        free(body);
        return 1;
      }
      char *grown = realloc(body, cap * 2);
      if (!grown) {
        free(body);
        return 1;
      }
      body = grown;
      cap *= 2;
    }
    size_t got = fread(body + len, 1, cap - len, stdin);
    len += got;
    if (got == 0) break;
  }

  char *event_text = NULL;
  /* An empty header value counts as missing. */
  const char *ts = argv[2][0] ? argv[2] : NULL;
  const char *sig = argv[3][0] ? argv[3] : NULL;
  kie_status st = kie_webhook_verify(argv[1], body, len, ts, sig, now, tolerance, &event_text);
  free(body);
  if (st != KIE_OK) return fail(st);

  json_t *event = json_loads(event_text, 0, NULL);
  kie_string_free(event_text);
  char *pretty = event ? json_dumps(event, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
  printf("%s\n", pretty ? pretty : "{}");
  free(pretty);
  json_decref(event);
  return 0;
}
