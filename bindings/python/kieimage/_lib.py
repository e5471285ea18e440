"""Loads libkieimage and declares its C ABI (include/kieimage.h). The only module using ctypes.

Everything above this module sees Python values: ``str`` JSON in, JSON (``str`` or parsed) out, ints for
client handles and operation ids, exceptions from ``_errors`` for failing statuses.

Rules this module keeps (docs/c-api.md, conventions):
- the library is loaded by absolute path: ``$KIEIMAGE_LIB`` or the copy bundled in this package;
- every function has argtypes/restype from the one table below; owned ``char *`` results come
  back in a ``c_char_p``, whose ``.value`` copies them, and are freed with ``kie_string_free`` in
  ``finally``;
- ``kie_last_error`` is read right after the failing call, on the same thread;
- C never holds a Python object: callbacks are the module-level trampolines, and ``userdata`` is an
  integer key into a registry of Python callables, removed on the operation's final event;
- exceptions that reach the trampoline (KeyboardInterrupt from a signal) are caught there and
  re-raised by the thread that was dispatching (ctypes would print and swallow them);
- blocking calls run as asynchronous operations waited for on the calling thread in slices of
  ``SLICE_MS``, so Ctrl-C and exceptions from progress callbacks end them at once, with
  ``kie_cancel`` (see ``_run_op``); one thread at a time runs ``kie_client_dispatch``, and each
  operation's events reach the thread that waits for it;
- at interpreter exit every client still open is freed, so no callback fires during finalisation.
"""

from __future__ import annotations

import atexit
import ctypes
import itertools
import os
import sys
import threading
from ctypes import (CFUNCTYPE, POINTER, byref, c_char_p, c_double, c_int, c_int32, c_int64, c_size_t,
                    c_uint64, c_void_p)

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Tuple

    EventHandler = Callable[[int, int, Dict[str, Any]], None]
    """handler(op, status, event) for one operation's events."""

from . import _errors, _json

ABI_VERSION = 1
"""The KIE_ABI_VERSION these bindings were written against."""

KIE_OK = 0
KIE_E_CANCELLED = -13

_LIB_FILE = {"darwin": "libkieimage.dylib", "win32": "kieimage.dll"}.get(sys.platform, "libkieimage.so")

# Every entry's types are checked against include/kieimage.h by tests/test_abi_table.py.
# kie_status is a C enum: int-sized on every platform the library builds for.
kie_status = c_int
kie_op = c_uint64
# char **out: an owned string the caller frees. A c_char_p reads it (.value copies the bytes) and
# passes its pointer to kie_string_free, with no string_at call in between.
_out_str = POINTER(c_char_p)

# void (*kie_event_cb)(void *userdata, kie_op op, kie_status status, const char *event_json);
kie_event_cb = CFUNCTYPE(None, c_void_p, kie_op, kie_status, c_char_p)

# void (*kie_log_cb)(void *userdata, int32_t level, const char *message);
kie_log_cb = CFUNCTYPE(None, c_void_p, c_int32, c_char_p)

# (name, argtypes, restype). The C prototype is the comment above each entry.
_SIGNATURES: List[Tuple[str, List[Any], Any]] = [
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
    ("kie_models", [_out_str], kie_status),
    # kie_status kie_request_build(const char *request_json, char **out_body_json);
    ("kie_request_build", [c_char_p, _out_str], kie_status),
    # kie_status kie_generate(kie_client *c, const char *request_json, char **out_json);
    ("kie_generate", [c_void_p, c_char_p, _out_str], kie_status),
    # kie_status kie_task_get(kie_client *c, const char *task_id, char **out_task_json);
    ("kie_task_get", [c_void_p, c_char_p, _out_str], kie_status),
    # kie_status kie_task_wait(kie_client *c, const char *task_id, const char *wait_json,
    #                          kie_event_cb on_event, void *userdata, char **out_task_json);
    ("kie_task_wait", [c_void_p, c_char_p, c_char_p, kie_event_cb, c_void_p, _out_str], kie_status),
    # kie_status kie_download_url(kie_client *c, const char *task_id, const char *url, char **out_url);
    ("kie_download_url", [c_void_p, c_char_p, c_char_p, _out_str], kie_status),
    # kie_status kie_credits(kie_client *c, double *out_credits);
    ("kie_credits", [c_void_p, POINTER(c_double)], kie_status),
    # kie_status kie_upload_file(kie_client *c, const char *path, const char *options_json, char **out_json);
    ("kie_upload_file", [c_void_p, c_char_p, c_char_p, _out_str], kie_status),
    # kie_status kie_upload_url(kie_client *c, const char *url, const char *options_json, char **out_json);
    ("kie_upload_url", [c_void_p, c_char_p, c_char_p, _out_str], kie_status),
    # kie_status kie_download(kie_client *c, const char *task_json, const char *dir, char **out_json);
    ("kie_download", [c_void_p, c_char_p, c_char_p, _out_str], kie_status),
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
    ("kie_journal_list", [c_void_p, _out_str], kie_status),
    # kie_status kie_resume(kie_client *c, const char *wait_json, kie_event_cb on_event, void *userdata,
    #                       char **out_json);
    ("kie_resume", [c_void_p, c_char_p, kie_event_cb, c_void_p, _out_str], kie_status),
    # kie_status kie_journal_resolve(kie_client *c, const char *id, const char *task_id);
    ("kie_journal_resolve", [c_void_p, c_char_p, c_char_p], kie_status),
    # kie_status kie_cancel(kie_client *c, kie_op op);
    ("kie_cancel", [c_void_p, kie_op], kie_status),
    # int32_t kie_client_fd(kie_client *c);
    ("kie_client_fd", [c_void_p], c_int32),
    # kie_status kie_client_dispatch(kie_client *c, int32_t timeout_ms, int32_t *out_dispatched);
    ("kie_client_dispatch", [c_void_p, c_int32, POINTER(c_int32)], kie_status),
    # kie_status kie_webhook_parse(const char *body, size_t body_len, char **out_event_json);
    ("kie_webhook_parse", [c_char_p, c_size_t, _out_str], kie_status),
    # kie_status kie_webhook_verify(const char *key, const char *body, size_t body_len,
    #     const char *timestamp_header, const char *signature_header, int64_t now_unix_s,
    #     int32_t tolerance_s, char **out_event_json);
    ("kie_webhook_verify", [c_char_p, c_char_p, c_size_t, c_char_p, c_char_p, c_int64, c_int32, _out_str],
     kie_status),
]

# Without these the package cannot work at all; the others fail only when called.
_REQUIRED = {"kie_version", "kie_abi_version", "kie_status_str", "kie_last_error", "kie_string_free",
             "kie_client_new", "kie_client_free"}


def library_path() -> str:
    """The absolute path the library is (or would be) loaded from."""
    override = os.environ.get("KIEIMAGE_LIB")
    if override:
        if not os.path.isabs(override):
            raise ImportError(f"KIEIMAGE_LIB must be an absolute path to {_LIB_FILE}, got {override!r}")
        return override
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), _LIB_FILE)


def _load() -> Tuple[ctypes.CDLL, str, Dict[str, Any]]:
    path = library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"kieimage: {path} not found. Install the package with its bundled library "
            f"(pip install ./bindings/python after building it), or set KIEIMAGE_LIB to the absolute "
            f"path of {_LIB_FILE}.")
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"kieimage: cannot load {path}: {e}") from e
    functions: Dict[str, Any] = {}
    missing = []
    for name, argtypes, restype in _SIGNATURES:
        try:
            fn = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.argtypes = argtypes
        fn.restype = restype
        functions[name] = fn
    required_missing = sorted(_REQUIRED.intersection(missing))
    if required_missing:
        raise ImportError(f"kieimage: {path} is not a compatible libkieimage (missing {', '.join(required_missing)})")
    found = functions["kie_abi_version"]()
    if found != ABI_VERSION:
        raise ImportError(
            f"kieimage: {path} has C ABI version {found}, these bindings need version {ABI_VERSION}. "
            f"Install bindings and library from the same release, or point KIEIMAGE_LIB at a matching library.")
    return lib, path, functions


_cdll, LIBRARY_PATH, _fn = _load()


def has(name: str) -> bool:
    """Whether the loaded library exports ``name`` (a function of the table above)."""
    return name in _fn


def _f(name: str) -> Any:
    fn = _fn.get(name)
    if fn is None:
        raise _errors.MissingFunctionError(
            f"{LIBRARY_PATH} lacks {name}(); it is older than these bindings", name="MISSING_FUNCTION")
    return fn


def _encode(value: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"{what} must not contain NUL characters")
    return value.encode("utf-8", "strict")


def _encode_optional(value: Optional[str], what: str) -> Optional[bytes]:
    return None if value is None else _encode(value, what)


def status_text(status: int) -> str:
    raw = _fn["kie_status_str"](status)
    return raw.decode("utf-8", "replace") if raw else ""


def _error(status: int) -> _errors.KieError:
    """The exception for a failed call; reads the thread-local detail at once, on this thread."""
    raw = _fn["kie_last_error"]()
    return _errors.error_from_detail(status, raw or b"", status_text(status))


def _check(status: int) -> None:
    if status != KIE_OK:
        raise _error(status)


def _take(out: c_char_p) -> str:
    """Copies an owned char * result and frees it."""
    try:
        data = out.value
        return data.decode("utf-8", "replace") if data is not None else ""
    finally:
        _free_out(out)


def _free_out(out: c_char_p) -> None:
    if out:  # a non-NULL pointer (reading .value would copy the string)
        _fn["kie_string_free"](out)
        out.value = None


def version() -> str:
    raw: bytes = _fn["kie_version"]()
    return raw.decode("ascii", "replace")


def abi_version() -> int:
    return int(_fn["kie_abi_version"]())


# ---------------------------------------------------------------------------------------------
# Client handles

class _Handle:
    """Owns one kie_client *. Calls take a use; close() frees once no call is inside C.

    A call that is already inside C when close() is called keeps the pointer alive until it
    returns (C async operations are cancelled; a blocking wait finishes first).
    """

    def __init__(self, pointer: int) -> None:
        self._pointer: Optional[int] = pointer
        self._lock = threading.Lock()
        self._uses = 0
        self._closing = False
        self._forked = False
        self.log_key = 0
        # kie_client_dispatch runs from one thread at a time: whoever holds this lock.
        self.dispatch_lock = threading.Lock()
        # Operations a blocking call on some thread is waiting for (close() cancels them).
        self._blocking: "set[int]" = set()

    @property
    def closed(self) -> bool:
        return self._closing

    def acquire(self) -> int:
        with self._lock:
            if self._forked:
                raise RuntimeError("a kieimage.Client cannot be used in a forked child process: the library's "
                                   "threads stay in the parent. Use multiprocessing's \"spawn\" start method "
                                   "and create clients in the child.")
            if self._closing or self._pointer is None:
                raise ValueError("operation on a closed kieimage.Client")
            self._uses += 1
            return self._pointer

    def release(self) -> None:
        with self._lock:
            self._uses -= 1
            pointer = self._take_if_done()
        if pointer:
            self._free(pointer)

    def close(self, cancel_blocking: bool = True) -> None:
        with self._lock:
            self._closing = True
            pointer = self._take_if_done()
            if cancel_blocking and pointer is None and self._pointer is not None:
                # Blocking calls in flight on other threads: cancel their operations, so they
                # end (CancelledError) and release the client, which is then freed. Under the
                # lock: the pointer cannot be freed meanwhile; kie_cancel never blocks.
                for op in self._blocking:
                    _fn["kie_cancel"](self._pointer, op)
        if pointer:
            self._free(pointer)

    def track(self, op: int, on: bool) -> None:
        with self._lock:
            if on:
                self._blocking.add(op)
            else:
                self._blocking.discard(op)

    def _free(self, pointer: int) -> None:
        if self.log_key:
            # No log line may enter Python once the client is going away.
            _fn["kie_client_set_log"](pointer, kie_log_cb(), None)
            with _registry_lock:
                _loggers.pop(self.log_key, None)
        _fn["kie_client_free"](pointer)

    def _take_if_done(self) -> Optional[int]:
        if self._closing and self._uses == 0 and self._pointer is not None:
            pointer, self._pointer = self._pointer, None
            _open_handles.discard(self)
            return pointer
        return None


_open_handles: "set[_Handle]" = set()


class _Use:
    def __init__(self, handle: _Handle) -> None:
        self.handle = handle

    def __enter__(self) -> int:
        return self.handle.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.handle.release()


def client_new(config_json: str) -> _Handle:
    out = c_void_p()
    _check(_fn["kie_client_new"](_encode(config_json, "config"), byref(out)))
    handle = _Handle(int(out.value or 0))
    _open_handles.add(handle)
    return handle


def models() -> str:
    out = c_char_p()
    try:
        _check(_f("kie_models")(byref(out)))
        return _take(out)
    finally:
        _free_out(out)


def request_build(request: bytes) -> bytes:
    """kie_request_build on UTF-8 JSON bytes: the body bytes, or the error it raises."""
    # Written out (no _check/_take): request_body runs it per call (BENCHMARKS.md, P4). A c_char_p
    # passed where the table says POINTER(c_char_p) goes by reference without a byref object.
    out = c_char_p()
    status = _f("kie_request_build")(request, out)
    try:
        if status != KIE_OK:
            raise _error(status)
        return out.value or b""
    finally:
        if out:
            _fn["kie_string_free"](out)


def _call_out(name: str, handle: _Handle, *args: Optional[bytes]) -> str:
    fn = _f(name)
    out = c_char_p()
    try:
        with _Use(handle) as c:
            status = fn(c, *args, byref(out))
            if status != KIE_OK:
                raise _error(status)
        return _take(out)
    finally:
        _free_out(out)


def task_get(handle: _Handle, task_id: str) -> str:
    return _call_out("kie_task_get", handle, _encode(task_id, "task_id"))


def download_url(handle: _Handle, task_id: str, url: str) -> str:
    return _call_out("kie_download_url", handle, _encode(task_id, "task_id"), _encode(url, "url"))


def credits(handle: _Handle) -> float:
    fn = _f("kie_credits")
    out = c_double()
    with _Use(handle) as c:
        status = fn(c, byref(out))
        if status != KIE_OK:
            raise _error(status)
    return float(out.value)


# ---------------------------------------------------------------------------------------------
# Callbacks: module-level trampolines, integer userdata, a registry of Python callables


_registry_lock = threading.Lock()
_registry: Dict[int, "_Registration"] = {}
_ids = itertools.count(1)


class _Registration:
    __slots__ = ("handler", "error", "final", "multi")

    def __init__(self, handler: Optional[EventHandler], multi: bool = False) -> None:
        self.handler = handler
        self.error: Optional[BaseException] = None
        self.final = False
        # One userdata for several operations (kie_resume): its owner unregisters it.
        self.multi = multi


def _is_final(status: int, event: Dict[str, Any]) -> bool:
    return status != KIE_OK or event.get("event") in ("completed", "failed")


def _on_event(userdata: Optional[int], op: int, status: int, event_json: Optional[bytes]) -> None:
    # Runs whenever C calls back. Must never raise: ctypes would print and swallow the exception.
    reg: Optional[_Registration] = None
    try:
        key = int(userdata or 0)
        with _registry_lock:
            reg = _registry.get(key)
        if reg is None or reg.final:
            return
        try:
            event = _json.loads(event_json.decode("utf-8", "replace")) if event_json else {}
        except ValueError:
            event = {"event": "invalid", "text": event_json.decode("utf-8", "replace") if event_json else ""}
        if op != 0 and not reg.multi and _is_final(status, event):
            reg.final = True
            with _registry_lock:
                _registry.pop(key, None)
        if reg.error is None and reg.handler is not None:
            reg.handler(int(op), int(status), event)
    except BaseException as e:  # noqa: BLE001 - forwarded to the caller, never swallowed
        # Handlers of this module never raise; what gets here is asynchronous (KeyboardInterrupt
        # from a signal) or a user handler's exception: the thread that is dispatching raises
        # it once the C call returns (ctypes would print and drop it).
        if reg is not None and reg.error is None:
            reg.error = e
        if getattr(_pending, "error", None) is None:
            _pending.error = e


_pending = threading.local()


def _raise_pending() -> None:
    error = getattr(_pending, "error", None)
    if error is not None:
        _pending.error = None
        raise error


def _immortal(trampoline: Any) -> Any:
    """Keeps a CFUNCTYPE object (and the code C calls through it) alive for the whole process.

    A daemon thread may still be inside a blocking call when the interpreter exits (its client
    cannot be freed under it), and C may call back while finalisation tears the modules down:
    had the module's reference been the last, C would jump into freed memory. With this one
    reference never dropped, such a late callback finds ctypes' trampoline, whose GIL request
    at finalisation stops that thread as Python stops daemon threads.
    """
    incref = getattr(getattr(ctypes, "pythonapi", None), "Py_IncRef", None)
    if incref is not None:
        incref(ctypes.py_object(trampoline))
    return trampoline


# The one CFUNCTYPE object for every callback, never freed (see _immortal).
_event_trampoline = _immortal(kie_event_cb(_on_event))


def _register(handler: Optional[EventHandler], multi: bool = False) -> Tuple[int, _Registration]:
    reg = _Registration(handler, multi)
    with _registry_lock:
        key = next(_ids)
        _registry[key] = reg
    return key, reg


def _unregister(key: int) -> None:
    with _registry_lock:
        _registry.pop(key, None)


# ---------------------------------------------------------------------------------------------
# Blocking calls, built on asynchronous operations waited for on the calling thread in short
# slices: Ctrl-C (KeyboardInterrupt) and an exception from a progress callback end the wait at
# once, and the operation is cancelled in the library (kie_cancel: no further request for it).

SLICE_MS = 100
"""How long one kie_client_dispatch waits; the bound on how late a KeyboardInterrupt is seen."""


class _Waiter:
    """Events of one blocking operation, handed from whichever thread dispatches to its owner."""
    __slots__ = ("events", "cond")

    def __init__(self) -> None:
        self.events: List[Tuple[int, int, Dict[str, Any]]] = []
        self.cond = threading.Condition(threading.Lock())

    def push(self, op: int, status: int, event: Dict[str, Any]) -> None:
        with self.cond:
            self.events.append((op, status, event))
            self.cond.notify()

    def take(self, timeout: float) -> List[Tuple[int, int, Dict[str, Any]]]:
        with self.cond:
            if not self.events and timeout > 0:
                self.cond.wait(timeout)
            events, self.events = self.events, []
            return events


def _dispatch_slice(handle: _Handle, c: int, waiter: _Waiter) -> List[Tuple[int, int, Dict[str, Any]]]:
    """Runs queued callbacks for up to one slice (unless another thread is dispatching: then
    waits for this operation's own events), and returns this operation's events."""
    if handle.dispatch_lock.acquire(blocking=False):
        try:
            n = c_int32()
            status = _fn["kie_client_dispatch"](c, SLICE_MS, byref(n))
            if status != KIE_OK:
                raise _error(status)
        finally:
            handle.dispatch_lock.release()
        _raise_pending()
        return waiter.take(0)
    return waiter.take(SLICE_MS / 1000.0)


def _run_op(name: str, handle: _Handle, first: bytes, second: Optional[bytes],
            on_event: Optional[Callable[[Dict[str, Any]], Any]] = None) -> Dict[str, Any]:
    """Starts the asynchronous ``name`` and waits on this thread for its final event, handing
    the others to ``on_event`` here. Returns the "completed" event; raises the "failed" one.
    Any exception (KeyboardInterrupt, or one from ``on_event``) cancels the operation first."""
    fn = _f(name)
    waiter = _Waiter()
    key, _ = _register(waiter.push)
    out = kie_op()
    ended = False
    with _Use(handle) as c:
        try:
            status = fn(c, first, second, _event_trampoline, c_void_p(key), byref(out))
            if status != KIE_OK:
                ended = True
                raise _error(status)
            handle.track(int(out.value), True)
            while True:
                for _, status, event in _dispatch_slice(handle, c, waiter):
                    if status != KIE_OK or event.get("event") == "failed":
                        ended = True
                        raise _failure(status, event)
                    if event.get("event") == "completed":
                        ended = True
                        return event
                    if on_event is not None:
                        on_event(event)
        except BaseException:
            _unregister(key)
            if out.value and not ended:
                _fn["kie_cancel"](c, out.value)
            raise
        finally:
            if out.value:
                handle.track(int(out.value), False)


def _failure(status: int, event: Dict[str, Any]) -> _errors.KieError:
    detail = event.get("error") if isinstance(event.get("error"), dict) else {}
    return _errors.error_from_detail(status or _errors.InternalError.status, detail, status_text(status))


def journal_list(handle: _Handle) -> Dict[str, Any]:
    return dict(_json.loads(_call_out("kie_journal_list", handle) or "{}"))


def journal_resolve(handle: _Handle, entry_id: str, task_id: Optional[str]) -> None:
    fn = _f("kie_journal_resolve")
    with _Use(handle) as c:
        _check(fn(c, _encode(entry_id, "id"), _encode_optional(task_id, "task_id")))


def resume_start(handle: _Handle, wait_json: Optional[str], on_event: EventHandler) -> Tuple[int, Dict[str, Any]]:
    """kie_resume with ``on_event(op, status, event)`` for every resumed operation. Returns the
    registration key (``unregister`` it once every op ended) and the answer."""
    fn = _f("kie_resume")
    key, _ = _register(on_event, multi=True)
    out = c_char_p()
    try:
        with _Use(handle) as c:
            status = fn(c, _encode_optional(wait_json, "wait"), _event_trampoline, c_void_p(key), byref(out))
            if status != KIE_OK:
                raise _error(status)
        return key, dict(_json.loads(_take(out) or "{}"))
    except BaseException:
        _unregister(key)
        raise
    finally:
        _free_out(out)


def unregister(key: int) -> None:
    _unregister(key)


def resume(handle: _Handle, wait_json: Optional[str], on_event: Optional[Callable[[Dict[str, Any]], Any]]
           ) -> Tuple[Dict[str, Any], Dict[int, Any]]:
    """kie_resume, then waits on this thread until every resumed operation ended. Returns the
    answer and, per op, its "completed" event or the exception that ended it. Ctrl-C or an
    exception from ``on_event`` cancels the operations still running."""
    waiter = _Waiter()
    key, answer = resume_start(handle, wait_json, waiter.push)
    ops = {int(r.get("op") or 0) for r in answer.get("resumed", [])}
    outcomes: Dict[int, Any] = {}
    with _Use(handle) as c:
        try:
            for op in ops:
                handle.track(op, True)
            while len(outcomes) < len(ops):
                for op, status, event in _dispatch_slice(handle, c, waiter):
                    if op not in ops or op in outcomes:
                        continue
                    if status != KIE_OK or event.get("event") == "failed":
                        outcomes[op] = _failure(status, event)
                    elif event.get("event") == "completed":
                        outcomes[op] = event
                    elif on_event is not None:
                        on_event(event)
        except BaseException:
            for op in ops - set(outcomes):
                _fn["kie_cancel"](c, op)
            raise
        finally:
            _unregister(key)
            for op in ops:
                handle.track(op, False)
    return answer, outcomes


def _result(event: Dict[str, Any]) -> Dict[str, Any]:
    result = event.get("result")
    if not isinstance(result, dict):
        raise _errors.ProtocolError(f"completed event without a result: {event!r}"[:200], name="PROTOCOL")
    return result


_NO_WAIT = b'{"wait":false}'


def generate(handle: _Handle, request_json: str) -> Dict[str, Any]:
    """kie_generate's answer {"taskId", ...}, through kie_generate_async {"wait": false}."""
    return _result(_run_op("kie_generate_async", handle, _encode(request_json, "request"), _NO_WAIT))


def run(handle: _Handle, request_json: str, wait_json: Optional[str],
        on_event: Optional[Callable[[Dict[str, Any]], Any]]) -> Dict[str, Any]:
    """Submits and waits (kie_generate_async); returns the finished task JSON."""
    event = _run_op("kie_generate_async", handle, _encode(request_json, "request"),
                    _encode_optional(wait_json, "wait"), on_event)
    return dict(event.get("task") or {})


def task_wait(handle: _Handle, task_id: str, wait_json: Optional[str],
              on_event: Optional[Callable[[Dict[str, Any]], Any]]) -> Dict[str, Any]:
    """Waits for a task (kie_task_wait_async); returns its task JSON. ``on_event(event)`` gets
    the progress events, on this thread."""
    event = _run_op("kie_task_wait_async", handle, _encode(task_id, "task_id"), _encode_optional(wait_json, "wait"),
                    on_event)
    return dict(event.get("task") or {})


def download(handle: _Handle, task_json: str, directory: str) -> Dict[str, Any]:
    """kie_download's answer {"files": [...]}, through kie_download_async."""
    return _result(_run_op("kie_download_async", handle, _encode(task_json, "task"), _encode(directory, "directory")))


def upload_file(handle: _Handle, path: str, options_json: Optional[str]) -> Dict[str, Any]:
    """kie_upload_file's answer, through kie_upload_file_async."""
    return _result(_run_op("kie_upload_file_async", handle, _encode(path, "path"),
                           _encode_optional(options_json, "options")))


def upload_url(handle: _Handle, url: str, options_json: Optional[str]) -> Dict[str, Any]:
    """kie_upload_url's answer, through kie_upload_url_async."""
    return _result(_run_op("kie_upload_url_async", handle, _encode(url, "url"),
                           _encode_optional(options_json, "options")))


def _start_async(name: str, handle: _Handle, first: bytes, wait_json: Optional[str],
                 on_event: EventHandler) -> int:
    fn = _f(name)
    wait = _encode_optional(wait_json, "wait")
    key, _ = _register(on_event)
    op = kie_op()
    try:
        with _Use(handle) as c:
            status = fn(c, first, wait, _event_trampoline, c_void_p(key), byref(op))
            if status != KIE_OK:
                raise _error(status)
    except BaseException:
        _unregister(key)
        raise
    return int(op.value)


def generate_async(handle: _Handle, request_json: str, wait_json: Optional[str], on_event: EventHandler) -> int:
    """Starts kie_generate_async; returns the operation id. ``on_event(op, status, event)``."""
    return _start_async("kie_generate_async", handle, _encode(request_json, "request"), wait_json, on_event)


def task_wait_async(handle: _Handle, task_id: str, wait_json: Optional[str], on_event: EventHandler) -> int:
    return _start_async("kie_task_wait_async", handle, _encode(task_id, "task_id"), wait_json, on_event)


def cancel(handle: _Handle, op: int) -> None:
    """kie_cancel; cancelling an operation that already ended is not an error for callers."""
    fn = _f("kie_cancel")
    with _Use(handle) as c:
        status = fn(c, op)
        if status not in (KIE_OK, _errors.NotFoundError.status, KIE_E_CANCELLED):
            raise _error(status)


def client_fd(handle: _Handle) -> int:
    fn = _f("kie_client_fd")
    with _Use(handle) as c:
        fd = int(fn(c))
    if fd < 0:
        raise _errors.InternalError(f"kie_client_fd returned {fd}")
    return fd


def client_dispatch(handle: _Handle, timeout_ms: int = 0) -> int:
    """Runs pending callbacks of a "queue" client on this thread; returns how many ran (0
    at once when another thread is dispatching: that thread runs them). Raises the first
    exception (e.g. KeyboardInterrupt) that reached a callback during the dispatch."""
    fn = _f("kie_client_dispatch")
    n = c_int32()
    with _Use(handle) as c:
        if not handle.dispatch_lock.acquire(blocking=False):
            return 0
        try:
            status = fn(c, int(timeout_ms), byref(n))
            if status != KIE_OK:
                raise _error(status)
        finally:
            handle.dispatch_lock.release()
    _raise_pending()
    return int(n.value)


# ---------------------------------------------------------------------------------------------
# Webhooks (no client)

def webhook_parse(body: bytes) -> str:
    fn = _f("kie_webhook_parse")
    out = c_char_p()
    try:
        _check(fn(body, len(body), byref(out)))
        return _take(out)
    finally:
        _free_out(out)


def webhook_verify(key: str, body: bytes, timestamp: Optional[str], signature: Optional[str],
                   now_unix_s: int, tolerance_s: int) -> str:
    fn = _f("kie_webhook_verify")
    out = c_char_p()
    try:
        _check(fn(_encode(key, "key"), body, len(body), _encode_optional(timestamp, "timestamp header"),
                  _encode_optional(signature, "signature header"), int(now_unix_s), int(tolerance_s), byref(out)))
        return _take(out)
    finally:
        _free_out(out)


# Library log levels (0 trace .. 6 critical) as logging levels.
_LOG_LEVELS = (5, 10, 20, 25, 30, 40, 50)
_loggers: Dict[int, Any] = {}


def _on_log(userdata: Optional[int], level: int, message: Optional[bytes]) -> None:
    # Runs on whichever thread logs, library threads included; never raises into C.
    try:
        with _registry_lock:
            logger = _loggers.get(int(userdata or 0))
        if logger is not None and message:
            logger.log(_LOG_LEVELS[min(max(int(level), 0), 6)], "%s", message.decode("utf-8", "replace"))
    except BaseException:  # noqa: BLE001 - a log line is never worth an exception in C
        pass


_log_trampoline = _immortal(kie_log_cb(_on_log))


def client_set_logger(handle: _Handle, logger: Any) -> None:
    """Sends the client's log lines to ``logger`` (a logging.Logger), from any thread."""
    fn = _f("kie_client_set_log")
    with _registry_lock:
        key = next(_ids)
        _loggers[key] = logger
    with _Use(handle) as c:
        status = fn(c, _log_trampoline, c_void_p(key))
        if status != KIE_OK:
            with _registry_lock:
                _loggers.pop(key, None)
            raise _error(status)
    handle.log_key = key


def _after_fork_in_child() -> None:
    # The child has the parent's memory but none of the library's threads: freeing or using an
    # inherited client could hang. Drop them (never freed) so any use raises a clear error.
    global _registry_lock
    _registry_lock = threading.Lock()
    _registry.clear()
    _loggers.clear()
    for handle in list(_open_handles):
        handle._lock = threading.Lock()
        handle._forked = True
        handle._closing = True
        handle._pointer = None
    _open_handles.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@atexit.register
def _close_all() -> None:
    # Free every client still open while the interpreter is whole: no callback can fire later.
    # Blocking calls of other (daemon) threads are left alone, as the interpreter leaves them: a
    # CancelledError raised in them now would only print tracebacks during the exit.
    for handle in list(_open_handles):
        try:
            handle.close(cancel_blocking=False)
        except Exception:  # noqa: BLE001 - best effort at exit
            pass
    with _registry_lock:
        _registry.clear()
