/* resume.c: crash-safe generation with the task journal (docs/journal.md).
 *
 *   resume JOURNAL [--resolve ID=TASKID]... [--abandon ID]... PROMPT...
 *
 * Each PROMPT is one work item, tagged "item-<n>". Run it, kill it at any moment (even with
 * kill -9), run the same command again: tasks already submitted are waited for (never submitted
 * again); items done are skipped; an item whose generate was in flight when the process died has
 * an unknown outcome: it may exist and be charged, so it is listed (with its journal id) and not
 * resubmitted until you settle it: --resolve ID=TASKID when kie's logs show its task, --abandon
 * ID when they do not (the item is then submitted again).
 * Prints "item-<n> <taskId> <first result URL>" per finished item. Exit 0 when all are done,
 * 8 when unknown outcomes remain, 1 on another error. API key and base URL: KIE_API_KEY,
 * KIE_BASE_URL. Build: cc resume.c $(pkg-config --cflags --libs kieimage jansson) -lpthread
 */
#include <jansson.h>
#include <kieimage.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  pthread_mutex_t lock;
  pthread_cond_t done;
  int running;
  int failed;
} waits;

/* Called on a library thread ("thread" delivery): one final event per operation. */
static void on_event(void *userdata, kie_op op, kie_status status, const char *event_json) {
  waits *w = userdata;
  json_t *e = json_loads(event_json, 0, NULL);
  const char *kind = json_string_value(json_object_get(e, "event"));
  const char *tag = json_string_value(json_object_get(e, "tag"));
  (void)op;
  if (kind && strcmp(kind, "submitted") == 0) {
    fprintf(stderr, "%s submitted %s\n", tag ? tag : "?", json_string_value(json_object_get(e, "taskId")));
  } else if (kind && (strcmp(kind, "completed") == 0 || strcmp(kind, "failed") == 0)) {
    json_t *task = json_object_get(e, "task");
    pthread_mutex_lock(&w->lock);
    if (status == KIE_OK) {
      printf("%s %s %s\n", tag ? tag : "?", json_string_value(json_object_get(task, "taskId")),
             json_string_value(json_array_get(json_object_get(task, "resultUrls"), 0)));
      fflush(stdout);
    } else {
      fprintf(stderr, "%s failed: %s\n", tag ? tag : "?",
              json_string_value(json_object_get(json_object_get(e, "error"), "message")));
      w->failed++;
    }
    w->running--;
    pthread_cond_signal(&w->done);
    pthread_mutex_unlock(&w->lock);
  }
  json_decref(e);
}

static int fail(const char *what) {
  fprintf(stderr, "resume: %s: %s\n", what, kie_last_error());
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s JOURNAL [--resolve ID=TASKID]... [--abandon ID]... PROMPT...\n", argv[0]);
    return 2;
  }
  json_t *config = json_pack("{s:s}", "journalPath", argv[1]);
  char *config_text = json_dumps(config, 0);
  kie_client *c = NULL;
  kie_status st = kie_client_new(config_text, &c);
  free(config_text);
  json_decref(config);
  if (st != KIE_OK) return fail("kie_client_new");

  int first_prompt = 2;
  for (; first_prompt < argc; first_prompt++) {
    const char *arg = argv[first_prompt];
    if (strcmp(arg, "--abandon") == 0 && first_prompt + 1 < argc) {
      if (kie_journal_resolve(c, argv[++first_prompt], NULL) != KIE_OK) return fail("kie_journal_resolve");
    } else if (strcmp(arg, "--resolve") == 0 && first_prompt + 1 < argc) {
      char pair[512];
      snprintf(pair, sizeof pair, "%s", argv[++first_prompt]);
      char *eq = strchr(pair, '=');
      if (!eq) return fprintf(stderr, "resume: --resolve takes ID=TASKID\n"), 2;
      *eq = '\0';
      st = kie_journal_resolve(c, pair, eq + 1);
      if (st != KIE_OK) return fail("kie_journal_resolve");
    } else {
      break;
    }
  }

  waits w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};

  /* What the journal already holds: the latest state of each item's tag. */
  char *list = NULL;
  if (kie_journal_list(c, &list) != KIE_OK) return fail("kie_journal_list");
  json_t *listed = json_loads(list, 0, NULL);
  json_t *entries = json_object_get(listed, "entries");
  int items = argc - first_prompt;
  const char **state = calloc((size_t)(items > 0 ? items : 1), sizeof *state);
  size_t i;
  json_t *entry;
  json_array_foreach(entries, i, entry) {
    int n = 0;
    const char *tag = json_string_value(json_object_get(entry, "tag"));
    if (!tag || sscanf(tag, "item-%d", &n) != 1 || n < 1 || n > items) continue;
    state[n - 1] = json_string_value(json_object_get(entry, "state"));
    if (strcmp(state[n - 1], "succeeded") == 0)
      printf("%s %s done earlier\n", tag, json_string_value(json_object_get(entry, "taskId")));
  }

  /* Wait again for every submitted task (events carry the item's tag); list unknown outcomes. */
  char *resumed = NULL;
  pthread_mutex_lock(&w.lock);
  st = kie_resume(c, NULL, on_event, &w, &resumed);
  if (st != KIE_OK) return fail("kie_resume");
  json_t *plan = json_loads(resumed, 0, NULL);
  w.running += (int)json_array_size(json_object_get(plan, "resumed"));
  pthread_mutex_unlock(&w.lock);
  int unknown = (int)json_array_size(json_object_get(plan, "unknown"));
  json_array_foreach(json_object_get(plan, "unknown"), i, entry) {
    fprintf(stderr, "%s: unknown outcome (journal id %s): check kie's logs, then --resolve %s=TASKID or --abandon %s\n",
            json_string_value(json_object_get(entry, "tag")), json_string_value(json_object_get(entry, "id")),
            json_string_value(json_object_get(entry, "id")), json_string_value(json_object_get(entry, "id")));
  }

  /* Submit the items the journal has not seen, or that may be submitted again. */
  for (int n = 1; n <= items; n++) {
    const char *s = state[n - 1];
    if (s && strcmp(s, "rejected") != 0 && strcmp(s, "abandoned") != 0 && strcmp(s, "failed") != 0) continue;
    char tag[32];
    snprintf(tag, sizeof tag, "item-%d", n);
    json_t *req = json_pack("{s:s, s:s, s:s}", "prompt", argv[first_prompt + n - 1], "size", "1:1", "tag", tag);
    char *text = json_dumps(req, 0);
    kie_op op = 0;
    pthread_mutex_lock(&w.lock);
    st = kie_generate_async(c, text, NULL, on_event, &w, &op);
    if (st == KIE_OK) w.running++;
    pthread_mutex_unlock(&w.lock);
    free(text);
    json_decref(req);
    if (st != KIE_OK) fail(tag), w.failed++;
  }

  pthread_mutex_lock(&w.lock);
  while (w.running > 0) pthread_cond_wait(&w.done, &w.lock);
  pthread_mutex_unlock(&w.lock);

  int failed = w.failed;
  json_decref(plan);
  json_decref(listed);
  kie_string_free(resumed);
  kie_string_free(list);
  free(state);
  kie_client_free(c);
  return failed ? 1 : unknown ? 8 : 0;
}
