"""The C functions of libkieimage as Python calls, one function each: ``str`` JSON in, JSON (``str``
or parsed) out, a ``Handle`` for a client, exceptions from ``_errors`` for failing statuses.

Only the low-level modules touch ctypes; everything above them (``client``, ``_aio``, ``webhooks``)
sees Python values. Where each concern lives:

- ``_loader``: finding and loading the library, the C ABI version check, ``has``/``function``;
- ``_signatures``: the signature table (argtypes/restype of every function, both callback types);
- ``_marshal``: strings in, owned strings out (freed with ``kie_string_free``), the error of a status;
- ``_handles``: client handles, freeing at exit and dropping them in a forked child;
- ``_callbacks``: the callback registry (trampolines, integer userdata, loggers);
- ``_blocking``: the blocking-call engine (asynchronous operations waited for in 100 ms slices,
  so Ctrl-C works; its docstring says why);
- ``_async_ops``: operations started for the asyncio bridge, cancel, the client's fd and dispatch;
- ``_journal``: the journal's calls and resume;
- this module: the other calls, blocking ones through ``_blocking``.
"""

from __future__ import annotations

from ctypes import byref, c_char_p, c_double, c_void_p

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional

from . import _callbacks, _errors
from ._blocking import run_op
from ._handles import Handle, Use, client_new
from ._loader import ABI_VERSION, LIBRARY_PATH, abi_version, fn, function, has, version
from ._marshal import KIE_OK, check, encode, encode_optional, error, free_out, status_text, take
from ._signatures import kie_event_cb, kie_log_cb

__all__ = ["ABI_VERSION", "LIBRARY_PATH", "Handle", "abi_version", "client_new", "has", "kie_event_cb", "kie_log_cb",
           "status_text", "version"]


def models() -> str:
    out = c_char_p()
    try:
        check(function("kie_models")(byref(out)))
        return take(out)
    finally:
        free_out(out)


def request_build(request: bytes) -> bytes:
    """kie_request_build on UTF-8 JSON bytes: the body bytes, or the error it raises."""
    # Written out (no check/take): request_body runs it per call (BENCHMARKS.md, P4). A c_char_p
    # passed where the table says POINTER(c_char_p) goes by reference without a byref object.
    out = c_char_p()
    status = function("kie_request_build")(request, out)
    try:
        if status != KIE_OK:
            raise error(status)
        return out.value or b""
    finally:
        if out:
            fn["kie_string_free"](out)


def _call_out(name: str, handle: Handle, *args: Optional[bytes]) -> str:
    call = function(name)
    out = c_char_p()
    try:
        with Use(handle) as c:
            status = call(c, *args, byref(out))
            if status != KIE_OK:
                raise error(status)
        return take(out)
    finally:
        free_out(out)


def task_get(handle: Handle, task_id: str) -> str:
    return _call_out("kie_task_get", handle, encode(task_id, "task_id"))


def download_url(handle: Handle, task_id: str, url: str) -> str:
    return _call_out("kie_download_url", handle, encode(task_id, "task_id"), encode(url, "url"))


def credits(handle: Handle) -> float:
    credits_fn = function("kie_credits")
    out = c_double()
    with Use(handle) as c:
        status = credits_fn(c, byref(out))
        if status != KIE_OK:
            raise error(status)
    return float(out.value)


def _result(event: Dict[str, Any]) -> Dict[str, Any]:
    result = event.get("result")
    if not isinstance(result, dict):
        raise _errors.ProtocolError(f"completed event without a result: {event!r}"[:200], name="PROTOCOL")
    return result


_NO_WAIT = b'{"wait":false}'


def generate(handle: Handle, request_json: str) -> Dict[str, Any]:
    """kie_generate's answer {"taskId", ...}, through kie_generate_async {"wait": false}."""
    return _result(run_op("kie_generate_async", handle, encode(request_json, "request"), _NO_WAIT))


def run(handle: Handle, request_json: str, wait_json: Optional[str],
        on_event: Optional[Callable[[Dict[str, Any]], Any]]) -> Dict[str, Any]:
    """Submits and waits (kie_generate_async); returns the finished task JSON."""
    event = run_op("kie_generate_async", handle, encode(request_json, "request"),
                   encode_optional(wait_json, "wait"), on_event)
    return dict(event.get("task") or {})


def task_wait(handle: Handle, task_id: str, wait_json: Optional[str],
              on_event: Optional[Callable[[Dict[str, Any]], Any]]) -> Dict[str, Any]:
    """Waits for a task (kie_task_wait_async); returns its task JSON. ``on_event(event)`` gets
    the progress events, on this thread."""
    event = run_op("kie_task_wait_async", handle, encode(task_id, "task_id"), encode_optional(wait_json, "wait"),
                   on_event)
    return dict(event.get("task") or {})


def download(handle: Handle, task_json: str, directory: str) -> Dict[str, Any]:
    """kie_download's answer {"files": [...]}, through kie_download_async."""
    return _result(run_op("kie_download_async", handle, encode(task_json, "task"), encode(directory, "directory")))


def upload_file(handle: Handle, path: str, options_json: Optional[str]) -> Dict[str, Any]:
    """kie_upload_file's answer, through kie_upload_file_async."""
    return _result(run_op("kie_upload_file_async", handle, encode(path, "path"),
                          encode_optional(options_json, "options")))


def upload_url(handle: Handle, url: str, options_json: Optional[str]) -> Dict[str, Any]:
    """kie_upload_url's answer, through kie_upload_url_async."""
    return _result(run_op("kie_upload_url_async", handle, encode(url, "url"),
                          encode_optional(options_json, "options")))


def client_set_logger(handle: Handle, logger: Any) -> None:
    """Sends the client's log lines to ``logger`` (a logging.Logger), from any thread."""
    set_log = function("kie_client_set_log")
    key = _callbacks.register_logger(logger)
    with Use(handle) as c:
        status = set_log(c, _callbacks.log_trampoline, c_void_p(key))
        if status != KIE_OK:
            _callbacks.unregister_logger(key)
            raise error(status)
    handle.log_key = key


# Webhooks

def webhook_deliver(handle: Handle, headers_json: bytes, body: bytes) -> str:
    return _call_out("kie_webhook_deliver", handle, headers_json, body, len(body))  # type: ignore[arg-type]


def webhook_parse(body: bytes) -> str:
    parse = function("kie_webhook_parse")
    out = c_char_p()
    try:
        check(parse(body, len(body), byref(out)))
        return take(out)
    finally:
        free_out(out)


def webhook_verify(key: str, body: bytes, timestamp: Optional[str], signature: Optional[str],
                   now_unix_s: int, tolerance_s: int) -> str:
    verify = function("kie_webhook_verify")
    out = c_char_p()
    try:
        check(verify(encode(key, "key"), body, len(body), encode_optional(timestamp, "timestamp header"),
                     encode_optional(signature, "signature header"), int(now_unix_s), int(tolerance_s), byref(out)))
        return take(out)
    finally:
        free_out(out)
