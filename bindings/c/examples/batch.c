/*
 * batch: generate one image per line of a prompts file, all at once, with delivery "queue":
 * the events are dispatched on this thread from a poll() loop on kie_client_fd, the way an
 * event loop (libuv, GLib, epoll) would integrate the library.
 *
 *   KIE_API_KEY=... [KIE_BASE_URL=...] batch PROMPTS.txt [1:1|3:2|2:3]
 *
 * Prints one line per task as it ends, "completed <line> <taskId> <url>..." or
 * "failed <line> <STATUS_NAME> <message>", then a summary on stderr. Exits 0 when every task
 * completed; otherwise 1, after printing the status name and the detail JSON of each failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kieimage.h>

typedef struct {
  int line;       /* 1-based line in the prompts file */
  kie_op op;      /* 0 when the task could not be started */
  int done;       /* got its final event */
  int progress;   /* last progress, percent */
} job;

static int completed, failed;

/* Prints the failure: status name (from the detail's "name"), English text, detail JSON. */
static void print_failure(int line, kie_status status, json_t *error) {
  const char *name = json_string_value(json_object_get(error, "name"));
  const char *message = json_string_value(json_object_get(error, "message"));
  char *detail = error ? json_dumps(error, JSON_COMPACT) : NULL;
  printf("failed %d %s %s\n", line, name ? name : kie_status_str(status), message ? message : "");
  fprintf(stderr, "line %d: %s (%d): %s\n", line, kie_status_str(status), (int)status, detail ? detail : "{}");
  free(detail);
  failed++;
}

/* Runs inside kie_client_dispatch, on this thread. */
static void on_event(void *userdata, kie_op op, kie_status status, const char *event_json) {
  job *j = userdata;
  (void)op;
  json_t *ev = json_loads(event_json, 0, NULL);
  const char *kind = json_string_value(json_object_get(ev, "event"));
  if (!kind) {
    fprintf(stderr, "line %d: unreadable event %s\n", j->line, event_json);
  } else if (strcmp(kind, "submitted") == 0) {
    fprintf(stderr, "line %d: submitted as %s\n", j->line, json_string_value(json_object_get(ev, "taskId")));
  } else if (strcmp(kind, "progress") == 0) {
    j->progress = (int)(json_number_value(json_object_get(ev, "progress")) * 100.0 + 0.5);
  } else if (strcmp(kind, "completed") == 0) {
    json_t *task = json_object_get(ev, "task");
    json_t *url;
    size_t i;
    printf("completed %d %s", j->line, json_string_value(json_object_get(task, "taskId")));
    json_array_foreach(json_object_get(task, "resultUrls"), i, url) printf(" %s", json_string_value(url));
    printf("\n");
    fflush(stdout);
    j->done = 1;
    completed++;
  } else if (strcmp(kind, "failed") == 0) {
    print_failure(j->line, status, json_object_get(ev, "error"));
    fflush(stdout);
    j->done = 1;
  }
  json_decref(ev);
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: %s PROMPTS.txt [SIZE]\n", argv[0]);
    return 2;
  }
  const char *size = argc > 2 ? argv[2] : "1:1";
  FILE *f = strcmp(argv[1], "-") == 0 ? stdin : fopen(argv[1], "r");
  if (!f) {
    fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
    return 2;
  }

  kie_client *client = NULL;
  kie_status st = kie_client_new("{\"delivery\":\"queue\",\"poll\":{\"initialMs\":500}}", &client);
  if (st != KIE_OK) {
    fprintf(stderr, "kie_client_new failed: %s (%d)\n%s\n", kie_status_str(st), (int)st, kie_last_error());
    if (f != stdin) fclose(f);
    return 1;
  }

  /* Start one operation per non-empty line. */
  job *jobs = NULL;
  size_t njobs = 0, cap = 0;
  char *line = NULL;
  size_t linecap = 0;
  ssize_t len;
  int lineno = 0, pending = 0;
  while ((len = getline(&line, &linecap, f)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0) continue;
    if (njobs == cap) {
      cap = cap ? cap * 2 : 16;
      job *grown = realloc(jobs, cap * sizeof *jobs);
      if (!grown) {
        fprintf(stderr, "out of memory\n");
        return 1;
      }
      jobs = grown;
    }
    njobs++;
  }
  /* Second pass: jobs must not move once their address is handed to the library. */
  rewind(f);
  lineno = 0;
  size_t k = 0;
  while ((len = getline(&line, &linecap, f)) >= 0 && k < njobs) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
    if (len == 0) continue;
    job *j = &jobs[k++];
    memset(j, 0, sizeof *j);
    j->line = lineno;
    json_t *request = json_pack("{s:s, s:s}", "prompt", line, "size", size);
    char *request_text = request ? json_dumps(request, JSON_COMPACT) : NULL;
    json_decref(request);
    if (!request_text) {
      /* jansson refuses invalid UTF-8: report it like the library would */
      printf("failed %d INVALID_ARGUMENT prompt is not valid UTF-8\n", lineno);
      failed++;
      j->done = 1;
      continue;
    }
    st = kie_generate_async(client, request_text, NULL, on_event, j, &j->op);
    free(request_text);
    if (st != KIE_OK) {
      /* Validation errors return at once; the detail is on this thread. */
      json_t *error = json_loads(kie_last_error(), 0, NULL);
      print_failure(lineno, st, error);
      json_decref(error);
      j->done = 1;
      continue;
    }
    pending++;
  }
  free(line);
  if (f != stdin) fclose(f);
  fprintf(stderr, "%d task(s) started from %s\n", pending, argv[1]);

  /* The event loop: wait for the fd, then run the pending callbacks here. */
  int fd = kie_client_fd(client);
  while (completed + failed < (int)njobs) {
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, -1);
    if (r < 0 && errno != EINTR) {
      perror("poll");
      break;
    }
    int32_t n = 0;
    st = kie_client_dispatch(client, 0, &n);
    if (st != KIE_OK) {
      fprintf(stderr, "kie_client_dispatch failed: %s (%d)\n%s\n", kie_status_str(st), (int)st, kie_last_error());
      break;
    }
  }

  kie_client_free(client); /* cancels anything still running (nothing, normally) */
  free(jobs);
  fprintf(stderr, "%d completed, %d failed\n", completed, failed);
  return failed == 0 && completed == (int)njobs ? 0 : 1;
}
