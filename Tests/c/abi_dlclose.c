/* Regression test: a host that dlopen()s libkieimage, uses a client, frees it and dlclose()s
   the library (LuaJIT does this at exit, so does any plugin host) must not crash. Builds
   without -z nodelete crashed here (SIGSEGV in SwiftNIO's "NIO-SGLTN-1-#1" thread running code
   of the unmapped library, about 4 runs in 5); the library is now linked with NODELETE.
     abi_dlclose /path/to/libkieimage.so        (needs KIE_BASE_URL/KIE_API_KEY: with-sim.sh)
   Prints "N passed, N failed"; a crash is the failure. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

typedef struct kie_client kie_client;

/* One round: load, create a client, one request, free, unload, let the threads run. */
static int round_trip(const char *path) {
  void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "%s\n", dlerror());
    return 0;
  }
  int (*client_new)(const char *, kie_client **);
  int (*credits)(kie_client *, double *);
  void (*client_free)(kie_client *);
  /* the POSIX idiom for dlsym into a function pointer (ISO C has no such conversion) */
  *(void **)(&client_new) = dlsym(h, "kie_client_new");
  *(void **)(&credits) = dlsym(h, "kie_credits");
  *(void **)(&client_free) = dlsym(h, "kie_client_free");
  kie_client *c = NULL;
  double d = 0;
  int ok = client_new && credits && client_free && client_new(NULL, &c) == 0 && credits(c, &d) == 0;
  if (client_free) client_free(c);
  dlclose(h);
  struct timespec ts = {0, 300 * 1000000L};
  nanosleep(&ts, NULL); /* the library's threads wake up in unmapped code here */
  return ok;
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  int passed = 0, failed = 0, i;
  /* a few rounds: the crash is a race with the event-loop threads (about 4 runs in 5 crash on
     the first round) */
  for (i = 0; i < 5; i++) {
    if (round_trip(argv[1])) passed++;
    else failed++;
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed == 0 ? 0 : 1;
}
