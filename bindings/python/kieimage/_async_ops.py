"""Asynchronous operations for the asyncio bridge (``_aio``): starting them with an event handler,
cancelling them, and the client's event fd and dispatch (delivery "queue")."""

from __future__ import annotations

from ctypes import byref, c_int32, c_void_p

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Optional

    from ._callbacks import EventHandler
    from ._handles import Handle

from . import _errors
from ._callbacks import event_trampoline, raise_pending, register, unregister
from ._handles import Use
from ._loader import function
from ._marshal import KIE_E_CANCELLED, KIE_OK, encode, encode_optional, error
from ._signatures import kie_op


def _start(name: str, handle: Handle, first: bytes, wait_json: Optional[str], on_event: EventHandler) -> int:
    start = function(name)
    wait = encode_optional(wait_json, "wait")
    key, _ = register(on_event)
    op = kie_op()
    try:
        with Use(handle) as c:
            status = start(c, first, wait, event_trampoline, c_void_p(key), byref(op))
            if status != KIE_OK:
                raise error(status)
    except BaseException:
        unregister(key)
        raise
    return int(op.value)


def generate_async(handle: Handle, request_json: str, wait_json: Optional[str], on_event: EventHandler) -> int:
    """Starts kie_generate_async; returns the operation id. ``on_event(op, status, event)``."""
    return _start("kie_generate_async", handle, encode(request_json, "request"), wait_json, on_event)


def task_wait_async(handle: Handle, task_id: str, wait_json: Optional[str], on_event: EventHandler) -> int:
    return _start("kie_task_wait_async", handle, encode(task_id, "task_id"), wait_json, on_event)


def cancel(handle: Handle, op: int) -> None:
    """kie_cancel; cancelling an operation that already ended is not an error for callers."""
    cancel_fn = function("kie_cancel")
    with Use(handle) as c:
        status = cancel_fn(c, op)
        if status not in (KIE_OK, _errors.NotFoundError.status, KIE_E_CANCELLED):
            raise error(status)


def client_fd(handle: Handle) -> int:
    fd_fn = function("kie_client_fd")
    with Use(handle) as c:
        fd = int(fd_fn(c))
    if fd < 0:
        raise _errors.InternalError(f"kie_client_fd returned {fd}")
    return fd


def client_dispatch(handle: Handle, timeout_ms: int = 0) -> int:
    """Runs pending callbacks of a "queue" client on this thread; returns how many ran (0
    at once when another thread is dispatching: that thread runs them). Raises the first
    exception (e.g. KeyboardInterrupt) that reached a callback during the dispatch."""
    dispatch = function("kie_client_dispatch")
    n = c_int32()
    with Use(handle) as c:
        if not handle.dispatch_lock.acquire(blocking=False):
            return 0
        try:
            status = dispatch(c, int(timeout_ms), byref(n))
            if status != KIE_OK:
                raise error(status)
        finally:
            handle.dispatch_lock.release()
    raise_pending()
    return int(n.value)
