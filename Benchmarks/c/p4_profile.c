/* P4 profiling driver (not part of the timed run): n calls of one request through one
 * implementation, for `valgrind --tool=callgrind` (instructions per call are stable on a shared
 * machine, wall times are not). Usage: p4_profile kie|jansson plain|files N */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kieimage.h"

static const char *plain = "{\"prompt\":\"A beautiful sunset over the mountains\",\"size\":\"1:1\",\"nVariants\":2,"
                           "\"isEnhance\":false,\"enableFallback\":true,\"fallbackModel\":\"FLUX_MAX\"}";
static const char *files = "{\"prompt\":\"Blend these into one poster, keep the colours of the first\",\"size\":\"3:2\","
                           "\"filesUrl\":[\"https://example.com/images/first-input-image.png\","
                           "\"https://example.com/images/second-input-image.jpg\",\"https://cdn.example.org/x/third.webp\"],"
                           "\"maskUrl\":\"https://example.com/images/mask.png\",\"callBackUrl\":\"https://hooks.example.com/kie/callback\","
                           "\"nVariants\":4,\"isEnhance\":true,\"uploadCn\":false,\"enableFallback\":false}";

int main(int argc, char **argv) {
    if (argc < 4) { fprintf(stderr, "usage: p4_profile kie|jansson plain|files N\n"); return 2; }
    int kie = !strcmp(argv[1], "kie");
    const char *req = !strcmp(argv[2], "files") ? files : plain;
    long n = atol(argv[3]);
    for (long i = 0; i < n; i++) {
        if (kie) {
            char *out = NULL;
            if (kie_request_build(req, &out) != KIE_OK) { fprintf(stderr, "%s\n", kie_last_error()); return 1; }
            kie_string_free(out);
        } else {
            json_error_t err;
            json_t *v = json_loads(req, 0, &err);
            if (!v) return 1;
            char *out = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
            json_decref(v);
            free(out);
        }
    }
    return 0;
}
