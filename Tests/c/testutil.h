/* Tiny test helper for the C tests: counters, CHECK/EXPECT_STATUS, and a final summary line
   "N passed, N failed". Header-only; each test is one translation unit. */
#ifndef KIE_TESTUTIL_H
#define KIE_TESTUTIL_H

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kieimage.h>

static int t_passed, t_failed;

static inline void t_check(int cond, const char *file, int line, const char *fmt, ...) {
  if (cond) {
    t_passed++;
    return;
  }
  t_failed++;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL %s:%d: ", file, line);
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

#define CHECK(cond, ...) t_check((cond) != 0, __FILE__, __LINE__, __VA_ARGS__)

/* A failing call returns an error status and leaves kie_last_error() as JSON whose "status"
   equals the returned status (and with a non-empty "name"). */
static inline int t_detail_matches(kie_status st) {
  const char *detail = kie_last_error();
  if (!detail) return 0;
  json_t *j = json_loads(detail, 0, NULL);
  if (!j) return 0;
  json_t *s = json_object_get(j, "status");
  json_t *name = json_object_get(j, "name");
  int ok = json_is_integer(s) && json_integer_value(s) == (json_int_t)st && json_is_string(name) &&
           json_string_length(name) > 0;
  json_decref(j);
  return ok;
}

/* Expects exactly `want`; for an error also a matching kie_last_error detail. */
static inline void t_expect(kie_status got, kie_status want, const char *file, int line, const char *what) {
  int ok = got == want && (want == KIE_OK || t_detail_matches(got));
  t_check(ok, file, line, "%s: got %d (%s), want %d (%s); last error %.300s", what, (int)got, kie_status_str(got),
          (int)want, kie_status_str(want), kie_last_error());
}

/* Expects any error status with a matching detail. */
static inline void t_expect_err(kie_status got, const char *file, int line, const char *what) {
  int ok = got < 0 && t_detail_matches(got);
  t_check(ok, file, line, "%s: got %d (%s), want an error with detail; last error %.300s", what, (int)got,
          kie_status_str(got), kie_last_error());
}

#define EXPECT_STATUS(call, want) t_expect((call), (want), __FILE__, __LINE__, #call)
#define EXPECT_ERROR(call) t_expect_err((call), __FILE__, __LINE__, #call)

static inline int t_summary(void) {
  printf("%d passed, %d failed\n", t_passed, t_failed);
  fflush(stdout);
  return t_failed == 0 ? 0 : 1;
}

/* A string of n copies of c (caller frees). */
static inline char *t_repeat(char c, size_t n) {
  char *s = malloc(n + 1);
  if (!s) abort();
  memset(s, c, n);
  s[n] = '\0';
  return s;
}

#endif
