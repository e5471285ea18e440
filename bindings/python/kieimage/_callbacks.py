"""The callback registry: C never holds a Python object.

Callbacks are two module-level trampolines made once and never freed (``_immortal``); the
``userdata`` C passes back is an integer key into a registry of Python callables: event handlers
(removed on their operation's final event, or by their owner) and loggers (removed when their
client is freed). Exceptions that reach a trampoline (KeyboardInterrupt from a signal, or a
handler's own) are caught there, since ctypes would print and swallow them, and re-raised by
the thread that was dispatching (``raise_pending``).
"""

from __future__ import annotations

import ctypes
import itertools
import threading

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple

    EventHandler = Callable[[int, int, Dict[str, Any]], None]
    """handler(op, status, event) for one operation's events."""

from . import _json
from ._marshal import KIE_OK
from ._signatures import kie_event_cb, kie_log_cb

_registry_lock = threading.Lock()
_registry: Dict[int, "_Registration"] = {}
_loggers: Dict[int, Any] = {}
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
        # Handlers of this package never raise; what gets here is asynchronous (KeyboardInterrupt
        # from a signal) or a user handler's exception: the thread that is dispatching raises
        # it once the C call returns (ctypes would print and drop it).
        if reg is not None and reg.error is None:
            reg.error = e
        if getattr(_pending, "error", None) is None:
            _pending.error = e


_pending = threading.local()


def raise_pending() -> None:
    """Raises the exception a callback caught during this thread's last dispatch, if any."""
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


# The one CFUNCTYPE object for every event callback, never freed (see _immortal).
event_trampoline = _immortal(kie_event_cb(_on_event))


def register(handler: Optional[EventHandler], multi: bool = False) -> Tuple[int, _Registration]:
    """The userdata key for ``handler``; ``multi``: it serves several operations (kie_resume)."""
    reg = _Registration(handler, multi)
    with _registry_lock:
        key = next(_ids)
        _registry[key] = reg
    return key, reg


def unregister(key: int) -> None:
    with _registry_lock:
        _registry.pop(key, None)


# Library log levels (0 trace .. 6 critical) as logging levels.
_LOG_LEVELS = (5, 10, 20, 25, 30, 40, 50)


def _on_log(userdata: Optional[int], level: int, message: Optional[bytes]) -> None:
    # Runs on whichever thread logs, library threads included; never raises into C.
    try:
        with _registry_lock:
            logger = _loggers.get(int(userdata or 0))
        if logger is not None and message:
            logger.log(_LOG_LEVELS[min(max(int(level), 0), 6)], "%s", message.decode("utf-8", "replace"))
    except BaseException:  # noqa: BLE001 - a log line is never worth an exception in C
        pass


# The one CFUNCTYPE object for every log callback, never freed (see _immortal).
log_trampoline = _immortal(kie_log_cb(_on_log))


def register_logger(logger: Any) -> int:
    """The userdata key for a ``logging.Logger`` that receives a client's log lines."""
    with _registry_lock:
        key = next(_ids)
        _loggers[key] = logger
    return key


def unregister_logger(key: int) -> None:
    with _registry_lock:
        _loggers.pop(key, None)


def reset_after_fork() -> None:
    """In a forked child: a fresh lock (the parent's may have been held) and no registrations."""
    global _registry_lock
    _registry_lock = threading.Lock()
    _registry.clear()
    _loggers.clear()


def clear() -> None:
    """At exit, once every client is freed: no callback can find a handler any more."""
    with _registry_lock:
        _registry.clear()
