/* P4: kie_request_build from C, ns per call (validate + normalize + serialize + free), next to
 * jansson's json_loads + json_dumps (+ free) of the same request: the cost of only reading and
 * writing the JSON, no validation. Two requests: a plain one and one with files and a callback. */
#define _POSIX_C_SOURCE 199309L
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "kieimage.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int kie_once(const char *req) {
    char *out = NULL;
    if (kie_request_build(req, &out) != KIE_OK) { fprintf(stderr, "kie_request_build failed: %s\n", kie_last_error()); return 1; }
    kie_string_free(out);
    return 0;
}

static int jansson_once(const char *req) {
    json_error_t err;
    json_t *v = json_loads(req, 0, &err);
    if (!v) { fprintf(stderr, "json_loads failed: %s\n", err.text); return 1; }
    char *out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    if (!out) return 1;
    free(out);
    return 0;
}

/* Best and mean ns per call over `reps` runs of n calls, after one warm-up run. */
static int measure(int (*once)(const char *), const char *req, long n, double *best, double *mean) {
    int reps = 5;
    double sum = 0;
    *best = 1e18;
    for (int r = 0; r < reps + 1; r++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++) if (once(req)) return 1;
        double per = (now_ns() - t0) / (double)n;
        if (r == 0) continue;
        if (per < *best) *best = per;
        sum += per;
    }
    *mean = sum / reps;
    return 0;
}

int main(int argc, char **argv) {
    const char *plain = "{\"prompt\":\"A beautiful sunset over the mountains\",\"size\":\"1:1\",\"nVariants\":2,"
                        "\"isEnhance\":false,\"enableFallback\":true,\"fallbackModel\":\"FLUX_MAX\"}";
    const char *files = "{\"prompt\":\"Blend these into one poster, keep the colours of the first\",\"size\":\"3:2\","
                        "\"filesUrl\":[\"https://example.com/images/first-input-image.png\","
                        "\"https://example.com/images/second-input-image.jpg\",\"https://cdn.example.org/x/third.webp\"],"
                        "\"maskUrl\":\"https://example.com/images/mask.png\",\"callBackUrl\":\"https://hooks.example.com/kie/callback\","
                        "\"nVariants\":4,\"isEnhance\":true,\"uploadCn\":false,\"enableFallback\":false}";
    long n = argc > 1 ? atol(argv[1]) : 200000;
    double kb, km, jb, jm, fkb, fkm, fjb, fjm;
    if (measure(kie_once, plain, n, &kb, &km) || measure(jansson_once, plain, n, &jb, &jm) ||
        measure(kie_once, files, n, &fkb, &fkm) || measure(jansson_once, files, n, &fjb, &fjm))
        return 1;
    printf("{\"calls\":%ld,\"reps\":5,\"bestNs\":%.1f,\"meanNs\":%.1f,\"janssonBestNs\":%.1f,\"janssonMeanNs\":%.1f,"
           "\"filesBestNs\":%.1f,\"filesMeanNs\":%.1f,\"filesJanssonBestNs\":%.1f,\"filesJanssonMeanNs\":%.1f}\n",
           n, kb, km, jb, jm, fkb, fkm, fjb, fjm);
    return 0;
}
