"""The signature table: every C function of include/kieimage.h with its ctypes argtypes and restype.

``_loader`` applies it when the library is loaded; tests/test_abi_table.py checks every entry
against the header (a wrong width or pointer level is a silent memory bug under ctypes).
"""

from __future__ import annotations

from ctypes import CFUNCTYPE, POINTER, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t, c_uint64, c_void_p

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, List, Tuple

# Every entry's types are checked against include/kieimage.h by tests/test_abi_table.py.
# kie_status is a C enum: int-sized on every platform the library builds for.
kie_status = c_int
kie_op = c_uint64
# char **out: an owned string the caller frees. A c_char_p reads it (.value copies the bytes) and
# passes its pointer to kie_string_free, with no string_at call in between.
out_str = POINTER(c_char_p)

# void (*kie_event_cb)(void *userdata, kie_op op, kie_status status, const char *event_json);
kie_event_cb = CFUNCTYPE(None, c_void_p, kie_op, kie_status, c_char_p)

# void (*kie_log_cb)(void *userdata, int32_t level, const char *message);
kie_log_cb = CFUNCTYPE(None, c_void_p, c_int32, c_char_p)

# (name, argtypes, restype). The C prototype is the comment above each entry.
SIGNATURES: List[Tuple[str, List[Any], Any]] = [
    # const char *kie_version(void);  static
    ("kie_version", [], c_char_p),
    # int32_t kie_abi_version(void);
    ("kie_abi_version", [], c_int32),
    # const char *kie_status_str(kie_status s);  static
    ("kie_status_str", [kie_status], c_char_p),
    # const char *kie_last_error(void);  thread-local, borrowed
    ("kie_last_error", [], c_char_p),
    # void kie_string_free(char *s);
    ("kie_string_free", [c_void_p], None),
    # kie_status kie_client_new(const char *config_json, kie_client **out);
    ("kie_client_new", [c_char_p, POINTER(c_void_p)], kie_status),
    # void kie_client_free(kie_client *c);
    ("kie_client_free", [c_void_p], None),
    # kie_status kie_client_set_log(kie_client *c, kie_log_cb on_log, void *userdata);
    ("kie_client_set_log", [c_void_p, kie_log_cb, c_void_p], kie_status),
    # kie_status kie_models(char **out_json);
    ("kie_models", [out_str], kie_status),
    # kie_status kie_request_build(const char *request_json, char **out_body_json);
    ("kie_request_build", [c_char_p, out_str], kie_status),
    # kie_status kie_generate(kie_client *c, const char *request_json, char **out_json);
    ("kie_generate", [c_void_p, c_char_p, out_str], kie_status),
    # kie_status kie_task_get(kie_client *c, const char *task_id, char **out_task_json);
    ("kie_task_get", [c_void_p, c_char_p, out_str], kie_status),
    # kie_status kie_task_wait(kie_client *c, const char *task_id, const char *wait_json,
    #                          kie_event_cb on_event, void *userdata, char **out_task_json);
    ("kie_task_wait", [c_void_p, c_char_p, c_char_p, kie_event_cb, c_void_p, out_str], kie_status),
    # kie_status kie_download_url(kie_client *c, const char *task_id, const char *url, char **out_url);
    ("kie_download_url", [c_void_p, c_char_p, c_char_p, out_str], kie_status),
    # kie_status kie_credits(kie_client *c, double *out_credits);
    ("kie_credits", [c_void_p, POINTER(c_double)], kie_status),
    # kie_status kie_upload_file(kie_client *c, const char *path, const char *options_json, char **out_json);
    ("kie_upload_file", [c_void_p, c_char_p, c_char_p, out_str], kie_status),
    # kie_status kie_upload_url(kie_client *c, const char *url, const char *options_json, char **out_json);
    ("kie_upload_url", [c_void_p, c_char_p, c_char_p, out_str], kie_status),
    # kie_status kie_download(kie_client *c, const char *task_json, const char *dir, char **out_json);
    ("kie_download", [c_void_p, c_char_p, c_char_p, out_str], kie_status),
    # kie_status kie_generate_async(kie_client *c, const char *request_json, const char *wait_json,
    #                               kie_event_cb on_event, void *userdata, kie_op *out_op);
    ("kie_generate_async", [c_void_p, c_char_p, c_char_p, kie_event_cb, c_void_p, POINTER(kie_op)], kie_status),
    # kie_status kie_task_wait_async(kie_client *c, const char *task_id, const char *wait_json,
    #                                kie_event_cb on_event, void *userdata, kie_op *out_op);
    ("kie_task_wait_async", [c_void_p, c_char_p, c_char_p, kie_event_cb, c_void_p, POINTER(kie_op)], kie_status),
    # kie_status kie_download_async(kie_client *c, const char *task_json, const char *dir,
    #                              kie_event_cb on_event, void *userdata, kie_op *out_op);
    ("kie_download_async", [c_void_p, c_char_p, c_char_p, kie_event_cb, c_void_p, POINTER(kie_op)], kie_status),
    # kie_status kie_upload_file_async(kie_client *c, const char *path, const char *options_json,
    #                                  kie_event_cb on_event, void *userdata, kie_op *out_op);
    ("kie_upload_file_async", [c_void_p, c_char_p, c_char_p, kie_event_cb, c_void_p, POINTER(kie_op)], kie_status),
    # kie_status kie_upload_url_async(kie_client *c, const char *url, const char *options_json,
    #                                 kie_event_cb on_event, void *userdata, kie_op *out_op);
    ("kie_upload_url_async", [c_void_p, c_char_p, c_char_p, kie_event_cb, c_void_p, POINTER(kie_op)], kie_status),
    # kie_status kie_journal_list(kie_client *c, char **out_json);
    ("kie_journal_list", [c_void_p, out_str], kie_status),
    # kie_status kie_resume(kie_client *c, const char *wait_json, kie_event_cb on_event, void *userdata,
    #                       char **out_json);
    ("kie_resume", [c_void_p, c_char_p, kie_event_cb, c_void_p, out_str], kie_status),
    # kie_status kie_journal_resolve(kie_client *c, const char *id, const char *task_id);
    ("kie_journal_resolve", [c_void_p, c_char_p, c_char_p], kie_status),
    # kie_status kie_cancel(kie_client *c, kie_op op);
    ("kie_cancel", [c_void_p, kie_op], kie_status),
    # int32_t kie_client_fd(kie_client *c);
    ("kie_client_fd", [c_void_p], c_int32),
    # kie_status kie_client_dispatch(kie_client *c, int32_t timeout_ms, int32_t *out_dispatched);
    ("kie_client_dispatch", [c_void_p, c_int32, POINTER(c_int32)], kie_status),
    # kie_status kie_webhook_parse(const char *body, size_t body_len, char **out_event_json);
    ("kie_webhook_parse", [c_char_p, c_size_t, out_str], kie_status),
    # kie_status kie_webhook_verify(const char *key, const char *body, size_t body_len,
    #     const char *timestamp_header, const char *signature_header, int64_t now_unix_s,
    #     int32_t tolerance_s, char **out_event_json);
    ("kie_webhook_verify", [c_char_p, c_char_p, c_size_t, c_char_p, c_char_p, c_int64, c_int32, out_str],
     kie_status),
    # kie_status kie_webhook_deliver(kie_client *c, const char *headers_json, const char *body,
    #                                size_t body_len, char **out_event_json);
    ("kie_webhook_deliver", [c_void_p, c_char_p, c_char_p, c_size_t, out_str], kie_status),
]

# Without these the package cannot work at all; the others fail only when called.
REQUIRED = {"kie_version", "kie_abi_version", "kie_status_str", "kie_last_error", "kie_string_free",
            "kie_client_new", "kie_client_free"}
