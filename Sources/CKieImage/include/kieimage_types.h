/* Types of the kieimage C ABI. Functions are declared from the Swift @c exports; the published
   header include/kieimage.h is generated from both by scripts/generate-header. */
#ifndef KIEIMAGE_TYPES_H
#define KIEIMAGE_TYPES_H

#include <stddef.h>
#include <stdint.h>

#define KIE_VERSION_MAJOR 0
#define KIE_VERSION_MINOR 3
#define KIE_VERSION_PATCH 0
#define KIE_ABI_VERSION 1

/** Opaque client handle. Thread-safe: any thread may use one client concurrently. */
typedef struct kie_client kie_client;
/** Handle type as spelled by the Swift exports; the published header rewrites it to kie_client *. */
typedef kie_client *kie_client_ref;

/** Status of every call. 0 is success, errors are negative. Append-only: numbers are never reused. */
typedef enum kie_status {
  KIE_OK = 0,
  KIE_E_INVALID_ARGUMENT = -1,     /* NULL where not allowed, malformed JSON, bad UTF-8 */
  KIE_E_VALIDATION = -2,           /* request breaks the API's rules (client side, or body code 422) */
  KIE_E_AUTH = -3,                 /* 401 */
  KIE_E_INSUFFICIENT_CREDITS = -4, /* 402 */
  KIE_E_NOT_FOUND = -5,            /* 404 */
  KIE_E_RATE_LIMITED = -6,         /* 429, after the retry budget */
  KIE_E_UNAVAILABLE = -7,          /* 455 maintenance, 550 queue full, 503 */
  KIE_E_SERVER = -8,               /* 500, 501, 505 and other 5xx, after the retry budget */
  KIE_E_NETWORK = -9,              /* DNS, connect, TLS: the request never reached the server */
  KIE_E_TIMEOUT = -10,             /* a deadline passed */
  KIE_E_UNKNOWN_OUTCOME = -11,     /* a generate request was sent but no answer came: it may have
                                      been accepted and charged; never retried blindly */
  KIE_E_TASK_FAILED = -12,         /* the task ended CREATE_TASK_FAILED or GENERATE_FAILED */
  KIE_E_CANCELLED = -13,
  KIE_E_PROTOCOL = -14,            /* the server's answer could not be understood */
  KIE_E_SIGNATURE = -15,           /* webhook signature missing, wrong or outside the time window */
  KIE_E_IO = -16,                  /* a local file could not be read or written */
  KIE_E_INTERNAL = -17,            /* a bug: reported, never a crash */
  KIE_E_QUOTA = -18,               /* body code 433: the API key's own usage cap (hourly, daily or total)
                                      is used up; never retried; not a lack of credits */
  KIE_E_LEDGER = -19,              /* the shared ledger is unreachable, not migrated or refusing:
                                      nothing was sent (docs/ledger.md) */
  KIE_E_BUDGET = -20               /* the generate's price would take the client's spend above config
                                      maxCredits; refused before anything was sent */
} kie_status;

/** One asynchronous operation; 0 is never a valid operation. */
typedef uint64_t kie_op;

/** Event callback: userdata as given, the operation (0 for blocking calls), the event's status
    (KIE_OK except on a "failed" event) and the event JSON, valid only during the call. */
typedef void (*kie_event_cb)(void *userdata, kie_op op, kie_status status, const char *event_json);

/** Log callback: level 0 trace .. 6 critical, message valid only during the call (never holds the key). */
typedef void (*kie_log_cb)(void *userdata, int32_t level, const char *message);

#endif /* KIEIMAGE_TYPES_H */
