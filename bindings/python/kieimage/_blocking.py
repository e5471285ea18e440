"""The blocking-call engine: every blocking call of the binding is an asynchronous operation of the
library, waited for on the calling thread in slices of ``SLICE_MS`` (100 ms).

Why not call the library's blocking functions (``kie_task_wait``, ``kie_download``, ...) directly?
A thread inside a C call does not run Python signal handlers: Ctrl-C (KeyboardInterrupt) would
wait until the call returned, up to the whole poll deadline, and an exception raised by a progress
callback could only be reported once the call ended. Waiting in short slices, the thread returns
to Python every ``SLICE_MS`` at the latest, so Ctrl-C and a callback's exception end the wait at
once, and the operation is cancelled in the library (``kie_cancel``: no further request for it).
Do not "simplify" this back into one blocking C call: tests/test_interrupt.py is why.

One thread at a time runs ``kie_client_dispatch`` (the handle's ``dispatch_lock``); it runs every
queued callback, and each operation's events are handed to the thread that waits for it
(``_Waiter``), whichever thread dispatched them.
"""

from __future__ import annotations

import threading
from ctypes import byref, c_int32, c_void_p

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List, Optional, Set, Tuple

    from ._handles import Handle

    Event = Tuple[int, int, Dict[str, Any]]

from ._callbacks import event_trampoline, raise_pending, register, unregister
from ._handles import Use
from ._loader import fn, function
from ._marshal import KIE_OK, error, failure
from ._signatures import kie_op

SLICE_MS = 100
"""How long one kie_client_dispatch waits; the bound on how late a KeyboardInterrupt is seen."""


class Waiter:
    """Events of one blocking wait, handed from whichever thread dispatches to its owner."""
    __slots__ = ("events", "cond")

    def __init__(self) -> None:
        self.events: List[Event] = []
        self.cond = threading.Condition(threading.Lock())

    def push(self, op: int, status: int, event: Dict[str, Any]) -> None:
        with self.cond:
            self.events.append((op, status, event))
            self.cond.notify()

    def take(self, timeout: float) -> List[Event]:
        with self.cond:
            if not self.events and timeout > 0:
                self.cond.wait(timeout)
            events, self.events = self.events, []
            return events


def _dispatch_slice(handle: Handle, c: int, waiter: Waiter) -> List[Event]:
    """Runs queued callbacks for up to one slice (unless another thread is dispatching: then
    waits for this operation's own events), and returns this operation's events."""
    if handle.dispatch_lock.acquire(blocking=False):
        try:
            n = c_int32()
            status = fn["kie_client_dispatch"](c, SLICE_MS, byref(n))
            if status != KIE_OK:
                raise error(status)
        finally:
            handle.dispatch_lock.release()
        raise_pending()
        return waiter.take(0)
    return waiter.take(SLICE_MS / 1000.0)


def run_op(name: str, handle: Handle, first: bytes, second: Optional[bytes],
           on_event: Optional[Callable[[Dict[str, Any]], Any]] = None) -> Dict[str, Any]:
    """Starts the asynchronous ``name`` and waits on this thread for its final event, handing
    the others to ``on_event`` here. Returns the "completed" event; raises the "failed" one.
    Any exception (KeyboardInterrupt, or one from ``on_event``) cancels the operation first."""
    start = function(name)
    waiter = Waiter()
    key, _ = register(waiter.push)
    out = kie_op()
    ended = False
    with Use(handle) as c:
        try:
            status = start(c, first, second, event_trampoline, c_void_p(key), byref(out))
            if status != KIE_OK:
                ended = True
                raise error(status)
            handle.track(int(out.value), True)
            while True:
                for _, status, event in _dispatch_slice(handle, c, waiter):
                    if status != KIE_OK or event.get("event") == "failed":
                        ended = True
                        raise failure(status, event)
                    if event.get("event") == "completed":
                        ended = True
                        return event
                    if on_event is not None:
                        on_event(event)
        except BaseException:
            unregister(key)
            if out.value and not ended:
                fn["kie_cancel"](c, out.value)
            raise
        finally:
            if out.value:
                handle.track(int(out.value), False)


def wait_ops(handle: Handle, ops: Set[int], waiter: Waiter,
             on_event: Optional[Callable[[Dict[str, Any]], Any]]) -> Dict[int, Any]:
    """Waits on this thread until every operation of ``ops`` (already started, their events
    pushed to ``waiter``) ended. Returns, per op, its "completed" event or the exception that
    ended it. Ctrl-C or an exception from ``on_event`` cancels the operations still running."""
    outcomes: Dict[int, Any] = {}
    with Use(handle) as c:
        try:
            for op in ops:
                handle.track(op, True)
            while len(outcomes) < len(ops):
                for op, status, event in _dispatch_slice(handle, c, waiter):
                    if op not in ops or op in outcomes:
                        continue
                    if status != KIE_OK or event.get("event") == "failed":
                        outcomes[op] = failure(status, event)
                    elif event.get("event") == "completed":
                        outcomes[op] = event
                    elif on_event is not None:
                        on_event(event)
        except BaseException:
            for op in ops - set(outcomes):
                fn["kie_cancel"](c, op)
            raise
        finally:
            for op in ops:
                handle.track(op, False)
    return outcomes
