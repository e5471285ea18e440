/* P4: kie_request_build from C, ns per call (validate + normalize + serialize + free). */
#define _POSIX_C_SOURCE 199309L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "kieimage.h"

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    const char *req = "{\"prompt\":\"A beautiful sunset over the mountains\",\"size\":\"1:1\",\"nVariants\":2,"
                      "\"isEnhance\":false,\"enableFallback\":true,\"fallbackModel\":\"FLUX_MAX\"}";
    long n = argc > 1 ? atol(argv[1]) : 200000;
    int reps = 5;
    double best = 1e18, sum = 0;
    for (int r = 0; r < reps + 1; r++) {
        double t0 = now_ns();
        for (long i = 0; i < n; i++) {
            char *out = NULL;
            if (kie_request_build(req, &out) != KIE_OK) { fprintf(stderr, "kie_request_build failed: %s\n", kie_last_error()); return 1; }
            kie_string_free(out);
        }
        double per = (now_ns() - t0) / (double)n;
        if (r == 0) continue; /* warm-up */
        if (per < best) best = per;
        sum += per;
    }
    printf("{\"calls\":%ld,\"reps\":%d,\"bestNs\":%.1f,\"meanNs\":%.1f}\n", n, reps, best, sum / reps);
    return 0;
}
