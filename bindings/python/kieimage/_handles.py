"""Client handles: one ``Handle`` owns one ``kie_client *`` and frees it once no call is inside C.

Every call takes a use (``with Use(handle) as c``); ``close()`` frees the client once the last
use ends, and cancels the operations blocking calls on other threads wait for. At interpreter
exit every client still open is freed, so no callback fires during finalisation; in a forked
child, inherited clients are dropped (the library's threads stayed in the parent), so any use
raises a clear error.
"""

from __future__ import annotations

import atexit
import os
import threading
from ctypes import byref, c_void_p

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Optional

from . import _callbacks
from ._loader import fn
from ._marshal import check, encode
from ._signatures import kie_log_cb


class Handle:
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
                    fn["kie_cancel"](self._pointer, op)
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
            fn["kie_client_set_log"](pointer, kie_log_cb(), None)
            _callbacks.unregister_logger(self.log_key)
        fn["kie_client_free"](pointer)

    def _take_if_done(self) -> Optional[int]:
        if self._closing and self._uses == 0 and self._pointer is not None:
            pointer, self._pointer = self._pointer, None
            _open_handles.discard(self)
            return pointer
        return None


_open_handles: "set[Handle]" = set()


class Use:
    def __init__(self, handle: Handle) -> None:
        self.handle = handle

    def __enter__(self) -> int:
        return self.handle.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.handle.release()


def client_new(config_json: str) -> Handle:
    out = c_void_p()
    check(fn["kie_client_new"](encode(config_json, "config"), byref(out)))
    handle = Handle(int(out.value or 0))
    _open_handles.add(handle)
    return handle


def _after_fork_in_child() -> None:
    # The child has the parent's memory but none of the library's threads: freeing or using an
    # inherited client could hang. Drop them (never freed) so any use raises a clear error.
    _callbacks.reset_after_fork()
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
    _callbacks.clear()
