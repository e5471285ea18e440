/* P3: N concurrent waits through the C ABI (kie_generate_async with a wait, delivery "thread").
 * Samples this process's thread count and peak RSS while they run. The API key comes from
 * $KIE_BENCH_KEY (never printed); the base URL from argv[1]. */
#define _POSIX_C_SOURCE 199309L
#define _DEFAULT_SOURCE
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "kieimage.h"

static atomic_int completed, failed, submitted;

static void on_event(void *userdata, kie_op op, kie_status status, const char *event_json) {
    (void)userdata; (void)op;
    if (strstr(event_json, "\"event\":\"submitted\"")) atomic_fetch_add(&submitted, 1);
    else if (strstr(event_json, "\"event\":\"completed\"")) atomic_fetch_add(&completed, 1);
    else if (strstr(event_json, "\"event\":\"failed\"")) {
        if (atomic_fetch_add(&failed, 1) < 3) fprintf(stderr, "failed (%d): %.300s\n", (int)status, event_json);
    }
}

static long rss_now(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long rss = 0;
    if (!f) return 0;
    while (fgets(line, sizeof line, f)) if (!strncmp(line, "VmRSS:", 6)) rss = atol(line + 6);
    fclose(f);
    return rss;
}

static void proc_status(long *threads, long *hwm_kb) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        if (!strncmp(line, "Threads:", 8)) *threads = atol(line + 8);
        else if (!strncmp(line, "VmHWM:", 6)) *hwm_kb = atol(line + 6);
    }
    fclose(f);
}

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: waits BASE_URL N\n"); return 2; }
    const char *key = getenv("KIE_BENCH_KEY");
    if (!key) { fprintf(stderr, "set KIE_BENCH_KEY\n"); return 2; }
    int n = atoi(argv[2]);
    char config[1024];
    snprintf(config, sizeof config,
             "{\"apiKey\":\"%s\",\"baseUrl\":\"%s\",\"rateLimit\":{\"requests\":0},\"delivery\":\"thread\"}", key, argv[1]);
    long threads0 = 0, hwm0 = 0;
    proc_status(&threads0, &hwm0);
    kie_client *c = NULL;
    if (kie_client_new(config, &c) != KIE_OK) { fprintf(stderr, "client: %s\n", kie_last_error()); return 1; }
    /* The idle client: after one call, so its event loop, pool and delivery thread exist. */
    double credits = 0;
    if (kie_credits(c, &credits) != KIE_OK) { fprintf(stderr, "credits: %s\n", kie_last_error()); return 1; }
    long idle_rss = rss_now();
    double t0 = now_s();
    for (int i = 0; i < n; i++) {
        kie_op op;
        if (kie_generate_async(c, "{\"prompt\":\"kie-bench scale\",\"size\":\"1:1\"}", "{}", on_event, NULL, &op) != KIE_OK) {
            fprintf(stderr, "generate_async: %s\n", kie_last_error());
            return 1;
        }
    }
    long peak_threads = 0, hwm = 0, peak_waiting = 0;
    while (atomic_load(&completed) + atomic_load(&failed) < n) {
        long t = 0;
        proc_status(&t, &hwm);
        if (t > peak_threads) peak_threads = t;
        long waiting = atomic_load(&submitted) - atomic_load(&completed) - atomic_load(&failed);
        static int tick;
        if (getenv("KIE_BENCH_TRACE") && tick++ % 10 == 0)
            fprintf(stderr, "t=%.1f s rss=%ld MB submitted=%d completed=%d threads=%ld\n", now_s() - t0, rss_now() / 1024,
                    atomic_load(&submitted), atomic_load(&completed), t);
        if (waiting > peak_waiting) peak_waiting = waiting;
        struct timespec d = {0, 50 * 1000 * 1000};
        nanosleep(&d, NULL);
        if (now_s() - t0 > 600) { fprintf(stderr, "timeout\n"); break; }
    }
    double wall = now_s() - t0;
    proc_status(&peak_threads, &hwm);
    kie_client_free(c);
    printf("{\"tasks\":%d,\"done\":%d,\"failed\":%d,\"peakConcurrentWaits\":%ld,\"peakThreads\":%ld,"
           "\"hostThreads\":%ld,\"peakRssKB\":%ld,\"baselineRssKB\":%ld,\"idleClientRssKB\":%ld,\"wallS\":%.1f}\n",
           n, atomic_load(&completed), atomic_load(&failed), peak_waiting, peak_threads, threads0, hwm, hwm0, idle_rss, wall);
    return 0;
}
