/* Asynchronous operations against a fresh simulator (run through Tests/c/with-sim.sh with
   --generate-limit 0 --credits 1000000 --record-info-per-task 0 --generation-ms 1500):
     1. N (default 200, env KIE_ASYNC_N) concurrent kie_generate_async through delivery "queue",
        driven by poll() on kie_client_fd + kie_client_dispatch: exactly one final event each,
        after "submitted" and the progress events, in order; the fd is readable exactly while
        events are pending; nothing after the final events.
     2. kie_cancel mid-flight (after "submitted"), from inside a callback, right after start,
        and with thread delivery: one KIE_E_CANCELLED final event, nothing after, a second
        cancel gives KIE_E_NOT_FOUND.
     3. delivery "thread": callbacks one at a time, same ordering guarantees.
     4. kie_client_free with operations in flight (queue and thread): each gets exactly one
        KIE_E_CANCELLED, free returns when no callback runs, nothing afterwards.
     5. failed tasks (KIE_E_TASK_FAILED in the final event), kie_task_wait_async on an existing
        task, downloads in the completed event, kie_task_wait progress on the caller's thread.
     6. operations whose final event carries a result (kie_generate_async {"wait":false},
        kie_upload_file_async, kie_upload_url_async, kie_download_async): "completed" with
        "result" equal in shape to the blocking call's answer; cancel gives one final event.
   No timing assertions: waits are bounded only by hang guards. Prints "N passed, N failed". */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#define HANG_GUARD_S 600 /* a hang, not a timing assertion */

typedef struct {
  int idx;
  kie_op op;
  int submitted, progress, finals, after_final, order_err, bad_json;
  int completed_ok, has_downloads;
  kie_status final_status;
  double last_progress;
  char task_id[130];
  kie_client *client;     /* for callbacks that call back into the library */
  int cancel_in_callback; /* cancel the op from its "submitted" callback */
  kie_status cancel_status;
  int slow_final; /* sleep inside the final callback (free must wait for it) */
} opstate;

/* Thread delivery: state shared with the library's callback thread. */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int finals_total;
static int in_callback, concurrent_callbacks;
/* Thread delivery: the thread of the first callback, and how many ran on another one. */
static pthread_t callback_thread;
static int callback_thread_set, callbacks_elsewhere;
static int use_lock;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

static void on_event(void *userdata, kie_op op, kie_status status, const char *event_json) {
  opstate *s = userdata;
  if (use_lock) pthread_mutex_lock(&mu);
  if (__atomic_add_fetch(&in_callback, 1, __ATOMIC_SEQ_CST) > 1) concurrent_callbacks++;
  if (use_lock) {
    if (!callback_thread_set) {
      callback_thread = pthread_self();
      callback_thread_set = 1;
    } else if (!pthread_equal(callback_thread, pthread_self())) {
      callbacks_elsewhere++;
    }
  }
  if (s->op != 0 && op != s->op) s->order_err++;
  if (s->finals > 0) s->after_final++;
  json_t *ev = json_loads(event_json, 0, NULL);
  const char *name = json_string_value(json_object_get(ev, "event"));
  if (!ev || !name) {
    s->bad_json++;
  } else if (strcmp(name, "submitted") == 0) {
    if (s->submitted || s->progress || status != KIE_OK) s->order_err++;
    s->submitted++;
    const char *id = json_string_value(json_object_get(ev, "taskId"));
    if (id) snprintf(s->task_id, sizeof s->task_id, "%s", id);
    else s->bad_json++;
    if (s->cancel_in_callback) s->cancel_status = kie_cancel(s->client, op);
  } else if (strcmp(name, "progress") == 0) {
    double p = json_number_value(json_object_get(ev, "progress"));
    if (status != KIE_OK || p < s->last_progress || p < 0 || p > 1) s->order_err++;
    s->last_progress = p;
    s->progress++;
  } else if (strcmp(name, "completed") == 0 || strcmp(name, "failed") == 0) {
    s->finals++;
    s->final_status = status;
    if (strcmp(name, "completed") == 0) {
      json_t *task = json_object_get(ev, "task");
      const char *st = json_string_value(json_object_get(task, "status"));
      s->completed_ok = status == KIE_OK && st && strcmp(st, "SUCCESS") == 0 &&
                        json_array_size(json_object_get(task, "resultUrls")) > 0;
      s->has_downloads = json_array_size(json_object_get(json_object_get(ev, "downloads"), "files")) > 0;
    } else {
      json_t *err = json_object_get(ev, "error");
      if (status == KIE_OK || json_integer_value(json_object_get(err, "status")) != (json_int_t)status) s->bad_json++;
    }
    if (s->slow_final) sleep_ms(50);
    finals_total++;
    if (use_lock) pthread_cond_broadcast(&cv);
  } else {
    s->bad_json++;
  }
  json_decref(ev);
  __atomic_sub_fetch(&in_callback, 1, __ATOMIC_SEQ_CST);
  if (use_lock) pthread_mutex_unlock(&mu);
}

/* Queue delivery: poll the fd and dispatch until `done()` or the hang guard. Counts fd
   readability that dispatch could not back with an event (the fd must be readable only while
   events are pending). */
static int readable_but_empty;
static int pump_until(kie_client *q, int (*done)(void *), void *arg) {
  int fd = kie_client_fd(q);
  double start = now_s();
  while (!done(arg)) {
    if (now_s() - start > HANG_GUARD_S) return 0;
    struct pollfd p = {fd, POLLIN, 0};
    int r = poll(&p, 1, 1000);
    if (r < 0 && errno == EINTR) continue;
    int32_t n = -1;
    kie_status st = kie_client_dispatch(q, 0, &n);
    if (st != KIE_OK) return 0;
    if (r == 1 && (p.revents & POLLIN) && n == 0) readable_but_empty++;
  }
  return 1;
}

typedef struct {
  opstate *ops;
  int n;
} opset;

static int all_final(void *arg) {
  opset *s = arg;
  int i;
  for (i = 0; i < s->n; i++)
    if (s->ops[i].finals == 0) return 0;
  return 1;
}

static int all_submitted(void *arg) {
  opset *s = arg;
  int i;
  for (i = 0; i < s->n; i++)
    if (s->ops[i].submitted == 0) return 0;
  return 1;
}

static int one_final(void *arg) { return ((opstate *)arg)->finals > 0; }
static int one_submitted(void *arg) { return ((opstate *)arg)->submitted > 0; }

/* Events that arrive after a quiet period (nothing may, once every op is final). */
static int dispatch_quiet(kie_client *q) {
  int total = 0, k;
  for (k = 0; k < 3; k++) {
    int32_t n = 0;
    kie_client_dispatch(q, 100, &n);
    total += n;
  }
  return total;
}

static void check_final_once(opstate *s, kie_status want, const char *what) {
  CHECK(s->finals == 1, "%s op %d: %d final events", what, s->idx, s->finals);
  CHECK(s->after_final == 0, "%s op %d: %d events after the final one", what, s->idx, s->after_final);
  CHECK(s->order_err == 0 && s->bad_json == 0, "%s op %d: order errors %d, bad events %d", what, s->idx, s->order_err, s->bad_json);
  CHECK(s->final_status == want, "%s op %d: final status %d (%s), want %d", what, s->idx, (int)s->final_status,
        kie_status_str(s->final_status), (int)want);
}

static const char *queue_config =
    "{\"delivery\":\"queue\",\"rateLimit\":{\"requests\":100000,\"perMs\":1000},\"poll\":{\"initialMs\":200,\"maxMs\":500}}";
static const char *thread_config =
    "{\"delivery\":\"thread\",\"rateLimit\":{\"requests\":100000,\"perMs\":1000},\"poll\":{\"initialMs\":200,\"maxMs\":500}}";

/* ---- 1. N concurrent operations through queue delivery ---- */
static void test_queue_many(int n) {
  kie_client *q = NULL;
  EXPECT_STATUS(kie_client_new(queue_config, &q), KIE_OK);
  if (!q) return;
  CHECK(kie_client_fd(q) >= 0, "queue client has an fd");
  opstate *ops = calloc((size_t)n, sizeof *ops);
  int i, started = 0;
  for (i = 0; i < n; i++) {
    char req[160];
    snprintf(req, sizeof req, "{\"prompt\":\"concurrent %d\",\"size\":\"%s\"}", i, i % 3 == 0 ? "1:1" : i % 3 == 1 ? "3:2" : "2:3");
    ops[i].idx = i;
    kie_status st = kie_generate_async(q, req, NULL, on_event, &ops[i], &ops[i].op);
    if (st == KIE_OK && ops[i].op != 0) started++;
    else fprintf(stderr, "start %d: %s %s\n", i, kie_status_str(st), kie_last_error());
  }
  CHECK(started == n, "started %d of %d", started, n);
  {
    /* op ids are distinct */
    int dup = 0, j;
    for (i = 0; i < n; i++)
      for (j = i + 1; j < n; j++) dup += ops[i].op == ops[j].op;
    CHECK(dup == 0, "%d duplicate op ids", dup);
  }
  opset set = {ops, n};
  CHECK(pump_until(q, all_final, &set), "all %d operations reached a final event", n);
  int completed = 0, progress_total = 0, bad = 0;
  for (i = 0; i < n; i++) {
    opstate *s = &ops[i];
    if (s->finals == 1 && s->after_final == 0 && s->order_err == 0 && s->bad_json == 0 && s->submitted == 1 &&
        s->final_status == KIE_OK && s->completed_ok)
      completed++;
    else if (bad++ < 5)
      fprintf(stderr, "op %d: finals %d after %d order %d bad %d submitted %d status %d ok %d\n", i, s->finals,
              s->after_final, s->order_err, s->bad_json, s->submitted, (int)s->final_status, s->completed_ok);
    progress_total += s->progress;
  }
  CHECK(completed == n, "%d of %d ops: submitted, progress in order, exactly one completed event", completed, n);
  fprintf(stderr, "queue x%d: %d progress events\n", n, progress_total);
  CHECK(dispatch_quiet(q) == 0, "nothing dispatched after every op ended");
  for (i = 0; i < n; i++) CHECK(ops[i].after_final == 0, "op %d: nothing after its final event", i);
  {
    struct pollfd p = {kie_client_fd(q), POLLIN, 0};
    CHECK(poll(&p, 1, 0) == 0, "fd not readable once the queue is empty");
  }
  CHECK(readable_but_empty == 0, "fd readable %d times with nothing to dispatch", readable_but_empty);
  CHECK(concurrent_callbacks == 0, "no concurrent callbacks");
  for (i = 0; i < n; i++) CHECK(kie_cancel(q, ops[i].op) == KIE_E_NOT_FOUND, "cancel after the end: NOT_FOUND (op %d)", i);
  kie_client_free(q);
  free(ops);
}

/* ---- 2. cancellation ---- */
static const char *long_request = "{\"prompt\":\"long [sim:ms=600000]\",\"size\":\"1:1\"}";

static void test_cancel_queue(void) {
  kie_client *q = NULL;
  EXPECT_STATUS(kie_client_new(queue_config, &q), KIE_OK);
  if (!q) return;

  /* a: mid-flight, after "submitted" */
  opstate a = {0};
  a.idx = 1;
  EXPECT_STATUS(kie_generate_async(q, long_request, NULL, on_event, &a, &a.op), KIE_OK);
  CHECK(pump_until(q, one_submitted, &a), "cancel a: submitted");
  EXPECT_STATUS(kie_cancel(q, a.op), KIE_OK);
  CHECK(pump_until(q, one_final, &a), "cancel a: final");
  EXPECT_STATUS(kie_cancel(q, a.op), KIE_E_NOT_FOUND);
  CHECK(dispatch_quiet(q) == 0, "cancel a: nothing after the final event");
  check_final_once(&a, KIE_E_CANCELLED, "cancel mid-flight (queue)");

  /* b: from inside its own "submitted" callback */
  opstate b = {0};
  b.idx = 2;
  b.client = q;
  b.cancel_in_callback = 1;
  b.cancel_status = (kie_status)1;
  EXPECT_STATUS(kie_generate_async(q, long_request, NULL, on_event, &b, &b.op), KIE_OK);
  CHECK(pump_until(q, one_final, &b), "cancel b: final");
  CHECK(b.cancel_status == KIE_OK, "kie_cancel inside a callback: %d", (int)b.cancel_status);
  CHECK(dispatch_quiet(q) == 0, "cancel b: nothing after the final event");
  check_final_once(&b, KIE_E_CANCELLED, "cancel inside callback");

  /* c: right after start, before anything was dispatched */
  opstate c = {0};
  c.idx = 3;
  EXPECT_STATUS(kie_generate_async(q, long_request, NULL, on_event, &c, &c.op), KIE_OK);
  EXPECT_STATUS(kie_cancel(q, c.op), KIE_OK);
  EXPECT_STATUS(kie_cancel(q, c.op), KIE_E_NOT_FOUND);
  CHECK(pump_until(q, one_final, &c), "cancel c: final");
  CHECK(dispatch_quiet(q) == 0, "cancel c: nothing after the final event");
  check_final_once(&c, KIE_E_CANCELLED, "cancel right after start");

  /* d: kie_task_wait_async on a running task, cancelled */
  if (a.task_id[0]) {
    opstate d = {0};
    d.idx = 4;
    d.submitted = 1; /* no "submitted" event for task_wait_async */
    EXPECT_STATUS(kie_task_wait_async(q, a.task_id, NULL, on_event, &d, &d.op), KIE_OK);
    EXPECT_STATUS(kie_cancel(q, d.op), KIE_OK);
    CHECK(pump_until(q, one_final, &d), "cancel d: final");
    CHECK(dispatch_quiet(q) == 0, "cancel d: nothing after the final event");
    check_final_once(&d, KIE_E_CANCELLED, "cancel task_wait_async");
  }
  kie_client_free(q);
}

static void wait_finals(int want) {
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_sec += HANG_GUARD_S;
  pthread_mutex_lock(&mu);
  while (finals_total < want)
    if (pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT) break;
  pthread_mutex_unlock(&mu);
}

static int snapshot_events(opstate *ops, int n) {
  int total = 0, i;
  pthread_mutex_lock(&mu);
  for (i = 0; i < n; i++) total += ops[i].submitted + ops[i].progress + ops[i].finals;
  pthread_mutex_unlock(&mu);
  return total;
}

/* ---- 3. thread delivery (and cancel with it) ---- */
static void test_thread(int n) {
  kie_client *c = NULL;
  EXPECT_STATUS(kie_client_new(thread_config, &c), KIE_OK);
  if (!c) return;
  CHECK(kie_client_fd(c) == -1, "thread client: fd -1");
  EXPECT_STATUS(kie_client_dispatch(c, 0, NULL), KIE_E_INVALID_ARGUMENT);
  use_lock = 1;
  finals_total = 0;
  callback_thread_set = 0;
  callbacks_elsewhere = 0;
  opstate *ops = calloc((size_t)n + 1, sizeof *ops);
  int i;
  pthread_mutex_lock(&mu); /* hold the lock while starting so ops[i].op is set before any callback */
  for (i = 0; i < n; i++) {
    char req[96];
    snprintf(req, sizeof req, "{\"prompt\":\"thread %d\",\"size\":\"1:1\"}", i);
    ops[i].idx = i;
    EXPECT_STATUS(kie_generate_async(c, req, NULL, on_event, &ops[i], &ops[i].op), KIE_OK);
  }
  /* one long op, cancelled once submitted */
  opstate *lng = &ops[n];
  lng->idx = n;
  EXPECT_STATUS(kie_generate_async(c, long_request, NULL, on_event, lng, &lng->op), KIE_OK);
  pthread_mutex_unlock(&mu);
  {
    double start = now_s();
    for (;;) {
      pthread_mutex_lock(&mu);
      int sub = lng->submitted;
      pthread_mutex_unlock(&mu);
      if (sub || now_s() - start > HANG_GUARD_S) break;
      sleep_ms(10);
    }
  }
  EXPECT_STATUS(kie_cancel(c, lng->op), KIE_OK);
  wait_finals(n + 1);
  int before = snapshot_events(ops, n + 1);
  EXPECT_STATUS(kie_cancel(c, lng->op), KIE_E_NOT_FOUND);
  sleep_ms(300);
  CHECK(snapshot_events(ops, n + 1) == before, "thread: nothing after the final events");
  pthread_mutex_lock(&mu);
  int ok = 0;
  for (i = 0; i < n; i++) {
    opstate *s = &ops[i];
    ok += s->finals == 1 && s->after_final == 0 && s->order_err == 0 && s->bad_json == 0 && s->submitted == 1 &&
          s->completed_ok;
  }
  CHECK(ok == n, "thread: %d of %d ops in order with exactly one completed event", ok, n);
  check_final_once(lng, KIE_E_CANCELLED, "cancel mid-flight (thread)");
  pthread_mutex_unlock(&mu);
  CHECK(concurrent_callbacks == 0, "thread: callbacks one at a time (%d overlaps)", concurrent_callbacks);
  CHECK(callback_thread_set && callbacks_elsewhere == 0,
        "thread: every callback of the client on one library thread (%d elsewhere)", callbacks_elsewhere);
  CHECK(!pthread_equal(callback_thread, pthread_self()), "thread: callbacks off the caller's thread");
  kie_client_free(c);
  use_lock = 0;
  free(ops);
}

/* ---- 4. kie_client_free with operations in flight ---- */
static void test_free_in_flight(int thread_mode) {
  const int n = 20, late = 5;
  kie_client *c = NULL;
  EXPECT_STATUS(kie_client_new(thread_mode ? thread_config : queue_config, &c), KIE_OK);
  if (!c) return;
  use_lock = thread_mode;
  finals_total = 0;
  opstate *ops = calloc((size_t)(n + late), sizeof *ops);
  int i;
  if (thread_mode) pthread_mutex_lock(&mu);
  for (i = 0; i < n + late; i++) {
    ops[i].idx = i;
    ops[i].slow_final = thread_mode;
  }
  for (i = 0; i < n; i++) EXPECT_STATUS(kie_generate_async(c, long_request, NULL, on_event, &ops[i], &ops[i].op), KIE_OK);
  if (thread_mode) pthread_mutex_unlock(&mu);
  /* wait until every op is mid-flight (submitted) */
  opset set = {ops, n};
  if (thread_mode) {
    double start = now_s();
    while (snapshot_events(ops, n) < n && now_s() - start < HANG_GUARD_S) sleep_ms(10);
  } else {
    CHECK(pump_until(c, all_submitted, &set), "free: all submitted");
  }
  /* and a few that were just started */
  if (thread_mode) pthread_mutex_lock(&mu);
  for (i = n; i < n + late; i++) EXPECT_STATUS(kie_generate_async(c, long_request, NULL, on_event, &ops[i], &ops[i].op), KIE_OK);
  if (thread_mode) pthread_mutex_unlock(&mu);

  kie_client_free(c);
  CHECK(__atomic_load_n(&in_callback, __ATOMIC_SEQ_CST) == 0, "free returned while no callback runs");
  int before = snapshot_events(ops, n + late);
  sleep_ms(300);
  CHECK(snapshot_events(ops, n + late) == before, "free: nothing delivered after it returned");
  for (i = 0; i < n + late; i++) check_final_once(&ops[i], KIE_E_CANCELLED, thread_mode ? "free (thread)" : "free (queue)");
  use_lock = 0;
  free(ops);
}

/* ---- log callback: messages arrive (any thread) and never contain the API key ---- */
static int log_messages, log_with_key, log_bad_level;
static const char *api_key;
static void on_log(void *ud, int32_t level, const char *message) {
  (void)ud;
  __atomic_add_fetch(&log_messages, 1, __ATOMIC_SEQ_CST);
  if (level < 0 || level > 6) __atomic_add_fetch(&log_bad_level, 1, __ATOMIC_SEQ_CST);
  if (api_key && *api_key && message && strstr(message, api_key)) __atomic_add_fetch(&log_with_key, 1, __ATOMIC_SEQ_CST);
}

/* ---- 5. failures, task_wait_async, downloads, blocking wait ---- */
static pthread_t main_thread;
static int wait_events, wait_events_off_thread, wait_events_nonzero_op;
static void on_wait_event(void *ud, kie_op op, kie_status st, const char *json) {
  (void)ud; (void)st; (void)json;
  wait_events++;
  if (!pthread_equal(pthread_self(), main_thread)) wait_events_off_thread++;
  if (op != 0) wait_events_nonzero_op++;
}

static void test_outcomes(void) {
  kie_client *q = NULL;
  EXPECT_STATUS(kie_client_new("{\"delivery\":\"queue\",\"logLevel\":\"trace\",\"poll\":{\"initialMs\":200,\"maxMs\":500}}", &q), KIE_OK);
  if (!q) return;
  api_key = getenv("KIE_API_KEY");
  EXPECT_STATUS(kie_client_set_log(q, on_log, NULL), KIE_OK);
  opstate f = {0}, w = {0}, d = {0};

  /* a generate that fails on the server: final failed with TASK_FAILED */
  f.idx = 1;
  EXPECT_STATUS(kie_generate_async(q, "{\"prompt\":\"fail [sim:generate_failed] [sim:ms=300]\",\"size\":\"1:1\"}", NULL, on_event, &f, &f.op), KIE_OK);
  CHECK(pump_until(q, one_final, &f), "failed op: final");
  check_final_once(&f, KIE_E_TASK_FAILED, "generate_failed");

  /* kie_task_wait_async on an existing task */
  char *sub = NULL;
  EXPECT_STATUS(kie_generate(q, "{\"prompt\":\"existing [sim:ms=600]\",\"size\":\"2:3\"}", &sub), KIE_OK);
  json_t *j = sub ? json_loads(sub, 0, NULL) : NULL;
  const char *id = json_string_value(json_object_get(j, "taskId"));
  w.idx = 2;
  w.submitted = 1;
  EXPECT_STATUS(kie_task_wait_async(q, id ? id : "missing", NULL, on_event, &w, &w.op), KIE_OK);
  CHECK(pump_until(q, one_final, &w), "task_wait_async: final");
  check_final_once(&w, KIE_OK, "task_wait_async");
  CHECK(w.completed_ok, "task_wait_async completed with result URLs");

  /* blocking kie_task_wait: progress events on this thread with op 0 */
  char *task = NULL;
  main_thread = pthread_self();
  EXPECT_STATUS(kie_task_wait(q, id ? id : "missing", NULL, on_wait_event, NULL, &task), KIE_OK);
  CHECK(wait_events_off_thread == 0 && wait_events_nonzero_op == 0, "kie_task_wait events on the caller's thread with op 0");
  kie_string_free(task);
  json_decref(j);
  kie_string_free(sub);

  /* a task that does not exist */
  opstate m = {0};
  m.idx = 4;
  m.submitted = 1;
  EXPECT_STATUS(kie_task_wait_async(q, "doesnotexist123", NULL, on_event, &m, &m.op), KIE_OK);
  CHECK(pump_until(q, one_final, &m), "missing task: final");
  CHECK(m.finals == 1 && m.final_status < 0 && m.bad_json == 0, "missing task: one failed final (%d)", (int)m.final_status);

  /* downloads in the completed event */
  char dir[] = "/tmp/kie-async-dl-XXXXXX";
  if (mkdtemp(dir)) {
    char wait[200];
    snprintf(wait, sizeof wait, "{\"download\":{\"dir\":\"%s\"}}", dir);
    d.idx = 3;
    EXPECT_STATUS(kie_generate_async(q, "{\"prompt\":\"download [sim:ms=200]\",\"size\":\"3:2\",\"nVariants\":2}", wait, on_event, &d, &d.op), KIE_OK);
    CHECK(pump_until(q, one_final, &d), "download op: final");
    check_final_once(&d, KIE_OK, "generate+download");
    CHECK(d.has_downloads, "completed event lists downloaded files");
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  }
  /* an auth failure is logged too, without the (wrong) key */
  {
    kie_client *bad = NULL;
    char *o = NULL;
    EXPECT_STATUS(kie_client_new("{\"apiKey\":\"kie-canary-wrong-key-0001\",\"logLevel\":\"trace\",\"maxRetries\":0}", &bad), KIE_OK);
    if (bad) {
      kie_client_set_log(bad, on_log, NULL);
      EXPECT_STATUS(kie_generate(bad, "{\"prompt\":\"x\",\"size\":\"1:1\"}", &o), KIE_E_AUTH);
      CHECK(strstr(kie_last_error(), "kie-canary-wrong-key-0001") == NULL, "detail never holds the key");
      kie_string_free(o);
      kie_client_free(bad);
    }
  }
  CHECK(log_messages > 0, "log callback received messages (%d)", log_messages);
  CHECK(log_with_key == 0, "%d log messages contained the API key", log_with_key);
  CHECK(log_bad_level == 0, "%d log messages with a level outside 0..6", log_bad_level);
  EXPECT_STATUS(kie_client_set_log(q, NULL, NULL), KIE_OK);
  kie_client_free(q);
}

/* ---- 6. operations with a result ---- */
typedef struct {
  int events, finals, after_final, submitted, progress;
  kie_status final_status;
  char submitted_id[130];
  json_t *result; /* "result" of the completed event */
} resultstate;

static void on_result_event(void *userdata, kie_op op, kie_status status, const char *event_json) {
  resultstate *r = userdata;
  (void)op;
  r->events++;
  if (r->finals > 0) r->after_final++;
  json_t *ev = json_loads(event_json, 0, NULL);
  const char *name = json_string_value(json_object_get(ev, "event"));
  if (name && strcmp(name, "submitted") == 0) {
    r->submitted++;
    const char *id = json_string_value(json_object_get(ev, "taskId"));
    if (id) snprintf(r->submitted_id, sizeof r->submitted_id, "%s", id);
  } else if (name && strcmp(name, "progress") == 0) {
    r->progress++;
  } else if (name && (strcmp(name, "completed") == 0 || strcmp(name, "failed") == 0)) {
    r->finals++;
    r->final_status = status;
    if (strcmp(name, "completed") == 0 && status == KIE_OK) r->result = json_incref(json_object_get(ev, "result"));
  }
  json_decref(ev);
}

static int result_final(void *arg) { return ((resultstate *)arg)->finals > 0; }

static const char *result_url(resultstate *r) {
  return json_string_value(json_object_get(r->result, "downloadUrl"));
}

static void test_results(void) {
  const char *upload = getenv("KIE_UPLOAD_BASE_URL");
  char config[512];
  snprintf(config, sizeof config, "{\"delivery\":\"queue\",\"uploadBaseUrl\":\"%s\",\"poll\":{\"initialMs\":200,\"maxMs\":500}}",
           upload ? upload : "");
  kie_client *q = NULL;
  EXPECT_STATUS(kie_client_new(config, &q), KIE_OK);
  if (!q || !upload) return;
  kie_op op = 0;

  /* generate without waiting: submitted, then completed with the submission; nothing polled */
  resultstate g = {0};
  EXPECT_STATUS(kie_generate_async(q, "{\"prompt\":\"no wait [sim:ms=600000]\",\"size\":\"1:1\"}", "{\"wait\":false}",
                                   on_result_event, &g, &op), KIE_OK);
  CHECK(pump_until(q, result_final, &g), "wait:false: final");
  CHECK(g.submitted == 1 && g.progress == 0 && g.finals == 1 && g.final_status == KIE_OK, "wait:false: submitted then completed");
  const char *gid = json_string_value(json_object_get(g.result, "taskId"));
  CHECK(gid && strcmp(gid, g.submitted_id) == 0, "wait:false: the result is the submission");
  CHECK(dispatch_quiet(q) == 0 && g.after_final == 0, "wait:false: nothing after the final event");
  json_decref(g.result);

  /* upload a file, then have the host fetch it by URL */
  resultstate u = {0}, v = {0};
  EXPECT_STATUS(kie_upload_file_async(q, "/etc/hostname", "{\"fileName\":\"host.txt\"}", on_result_event, &u, &op), KIE_OK);
  CHECK(pump_until(q, result_final, &u), "upload_file_async: final");
  CHECK(u.finals == 1 && u.events == 1 && u.final_status == KIE_OK, "upload_file_async: one completed event (%d)", (int)u.final_status);
  CHECK(result_url(&u) && strncmp(result_url(&u), "http://127.0.0.1:", 17) == 0, "upload_file_async: downloadUrl");
  if (result_url(&u)) {
    EXPECT_STATUS(kie_upload_url_async(q, result_url(&u), NULL, on_result_event, &v, &op), KIE_OK);
    CHECK(pump_until(q, result_final, &v), "upload_url_async: final");
    CHECK(v.finals == 1 && v.final_status == KIE_OK && result_url(&v), "upload_url_async: completed with downloadUrl");
    /* the blocking form answers the same shape */
    char *blocking = NULL;
    EXPECT_STATUS(kie_upload_url(q, result_url(&u), NULL, &blocking), KIE_OK);
    json_t *b = blocking ? json_loads(blocking, 0, NULL) : NULL;
    CHECK(json_string_value(json_object_get(b, "downloadUrl")) != NULL, "kie_upload_url: downloadUrl");
    json_decref(b);
    kie_string_free(blocking);
  }
  json_decref(u.result);
  json_decref(v.result);

  /* a URL the host refuses: a failed final event */
  resultstate bad = {0};
  EXPECT_STATUS(kie_upload_url_async(q, "http://127.0.0.1:9/missing.png", NULL, on_result_event, &bad, &op), KIE_OK);
  CHECK(pump_until(q, result_final, &bad), "upload_url_async refused: final");
  CHECK(bad.finals == 1 && bad.final_status < 0 && bad.result == NULL, "upload_url_async refused: failed (%d)", (int)bad.final_status);

  /* download a finished task */
  char *sub = NULL, *task = NULL;
  EXPECT_STATUS(kie_generate(q, "{\"prompt\":\"to download [sim:ms=200]\",\"size\":\"1:1\"}", &sub), KIE_OK);
  json_t *s = sub ? json_loads(sub, 0, NULL) : NULL;
  const char *id = json_string_value(json_object_get(s, "taskId"));
  EXPECT_STATUS(kie_task_wait(q, id ? id : "missing", NULL, NULL, NULL, &task), KIE_OK);
  char dir[] = "/tmp/kie-async-files-XXXXXX";
  if (task && mkdtemp(dir)) {
    resultstate d = {0}, c = {0};
    EXPECT_STATUS(kie_download_async(q, task, dir, on_result_event, &d, &op), KIE_OK);
    CHECK(pump_until(q, result_final, &d), "download_async: final");
    CHECK(d.finals == 1 && d.final_status == KIE_OK && json_array_size(json_object_get(d.result, "files")) == 1,
          "download_async: completed with one file");
    json_decref(d.result);
    /* cancelled right after it starts: exactly one final event (cancelled, or completed if it won) */
    EXPECT_STATUS(kie_download_async(q, task, dir, on_result_event, &c, &op), KIE_OK);
    kie_status cs = kie_cancel(q, op);
    CHECK(cs == KIE_OK || cs == KIE_E_NOT_FOUND, "download_async: cancel answers (%d)", (int)cs);
    CHECK(pump_until(q, result_final, &c), "download_async cancelled: final");
    CHECK(dispatch_quiet(q) == 0 && c.finals == 1 && c.after_final == 0, "download_async cancelled: one final event");
    CHECK(cs != KIE_OK || c.final_status == KIE_E_CANCELLED, "download_async cancelled: KIE_E_CANCELLED");
    json_decref(c.result);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", dir);
  }
  kie_string_free(task);
  json_decref(s);
  kie_string_free(sub);
  kie_client_free(q);
}

int main(void) {
  int n = 200;
  const char *env = getenv("KIE_ASYNC_N");
  if (env && atoi(env) > 0) n = atoi(env);
  if (!getenv("KIE_BASE_URL")) {
    fprintf(stderr, "run through Tests/c/with-sim.sh\n");
    return 2;
  }
  test_queue_many(n);
  fprintf(stderr, "queue x%d done: %d passed, %d failed\n", n, t_passed, t_failed);
  test_cancel_queue();
  test_thread(n < 30 ? n : 30);
  test_free_in_flight(0);
  test_free_in_flight(1);
  test_outcomes();
  test_results();
  return t_summary();
}
