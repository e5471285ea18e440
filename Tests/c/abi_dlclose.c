/* LIBRARY BUG reproduction (reported to the lead; fails until fixed): a host that dlopen()s
   libkieimage, uses a client, frees it and dlclose()s the library (LuaJIT does this at exit,
   so does any plugin host) crashes: SwiftNIO's singleton event-loop threads keep running code
   of the unmapped library (SIGSEGV in "NIO-SGLTN-1-#1"). Fix in the library: link with
   -Wl,-z,nodelete (dlclose becomes a no-op), or stop those threads when the last client goes.
     abi_dlclose /path/to/libkieimage.so        (needs KIE_BASE_URL/KIE_API_KEY: with-sim.sh)
   Prints "N passed, N failed"; a crash is the failure. */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <stdio.h>
#include <time.h>

typedef struct kie_client kie_client;

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  void *h = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    fprintf(stderr, "%s\n", dlerror());
    printf("0 passed, 1 failed\n");
    return 1;
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
  printf("%d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
  return ok ? 0 : 1;
}
