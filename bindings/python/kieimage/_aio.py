"""asyncio integration: the client's event fd in the running loop, callbacks run by dispatch.

The client is created with delivery "queue": the library queues each operation's events and
makes ``kie_client_fd`` readable; the loop's reader calls ``kie_client_dispatch``, which runs the
callbacks right there. No library thread ever enters Python and no thread is started per call,
however many operations are in flight. A blocking call on another thread may be dispatching at
that moment (one thread at a time does): it then runs this bridge's callbacks, which only hand
the event to the loop (``call_soon_threadsafe``, in order), so futures and ``on_progress`` are
always handled on the loop's thread.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Callable, Dict, Optional, Tuple

from . import _async_ops, _callbacks, _errors, _journal
from ._marshal import KIE_E_CANCELLED, KIE_OK, status_text
from .models import ProgressEvent

if TYPE_CHECKING:
    from ._callbacks import EventHandler
    from ._handles import Handle

__all__ = ["AsyncBridge"]


class AsyncBridge:
    """Per-client bridge between one asyncio loop and the library's event queue."""

    def __init__(self, handle: "Handle") -> None:
        self._handle = handle
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._fd: Optional[int] = None
        self._pending: Dict[int, "asyncio.Future[Dict[str, Any]]"] = {}

    # -- the fd reader ------------------------------------------------------------------

    def _attach(self) -> asyncio.AbstractEventLoop:
        loop = asyncio.get_running_loop()
        if self._loop is loop:
            return loop
        old = self._loop
        if old is not None and not old.is_closed():
            if any(not f.done() for f in self._pending.values()):
                raise RuntimeError("a kieimage.Client serves one event loop at a time; "
                                   "its operations on another loop are still running")
            if old.is_running():
                old.call_soon_threadsafe(self._remove_reader, old)
            else:
                self._remove_reader(old)
        if self._fd is None:
            self._fd = _async_ops.client_fd(self._handle)
        loop.add_reader(self._fd, self._readable)
        self._loop = loop
        return loop

    def _remove_reader(self, loop: asyncio.AbstractEventLoop) -> None:
        if self._fd is not None and not loop.is_closed():
            loop.remove_reader(self._fd)

    def _readable(self) -> None:
        try:
            _async_ops.client_dispatch(self._handle, 0)
        except Exception:  # noqa: BLE001 - closed client (ValueError) or a freed fd
            # Stop watching the fd: the client is gone or unusable.
            loop = _running_loop()
            if loop is not None:
                self._remove_reader(loop)

    def cancel_all(self) -> None:
        """Asks the library to cancel every operation still awaited (Client.close)."""
        for op in list(self._pending):
            try:
                _async_ops.cancel(self._handle, op)
            except Exception:  # noqa: BLE001 - the op may have ended meanwhile
                pass

    def detach(self) -> None:
        """Stops watching the fd; must happen before the client is freed (that closes the fd)."""
        loop, self._loop = self._loop, None
        if loop is None or loop.is_closed():
            return
        if _running_loop() is loop or not loop.is_running():
            self._remove_reader(loop)
        else:
            loop.call_soon_threadsafe(self._remove_reader, loop)

    def fail_pending(self) -> None:
        """Ends every future the library did not settle (after the client was freed)."""
        pending, self._pending = self._pending, {}
        for fut in pending.values():
            _settle(fut, None, _errors.CancelledError("the client was closed", status=KIE_E_CANCELLED,
                                                      name="CANCELLED"))

    # -- operations -----------------------------------------------------------------------

    def _handler(self, fut: "asyncio.Future[Dict[str, Any]]", on_progress: Optional[Callable[[ProgressEvent], Any]],
                 resolve_on_submit: bool) -> "EventHandler":
        loop = fut.get_loop()
        submitted: Dict[str, Any] = {}

        def deliver(op: int, status: int, event: Dict[str, Any]) -> None:
            # Whatever thread dispatches: every event goes through the loop's queue, in order.
            if not loop.is_closed():
                loop.call_soon_threadsafe(handle, op, status, event)

        def handle(op: int, status: int, event: Dict[str, Any]) -> None:
            kind = event.get("event")
            try:
                if status != KIE_OK or kind == "failed":
                    self._pending.pop(op, None)
                    detail = event.get("error") if isinstance(event.get("error"), dict) else {}
                    _settle(fut, None, _errors.error_from_detail(status, detail, status_text(status)))
                elif kind == "completed":
                    self._pending.pop(op, None)
                    # With the "submitted" event (its warnings) the caller may want as well.
                    _settle(fut, dict(event, submitted=submitted) if submitted else event, None)
                elif kind == "submitted" and resolve_on_submit:
                    _settle(fut, event, None)
                    # The caller asked for submission only: stop polling in the library.
                    _async_ops.cancel(self._handle, op)
                elif kind == "submitted":
                    submitted.update(event)
                elif kind == "progress" and on_progress is not None and not fut.done():
                    on_progress(ProgressEvent.from_json(event))
            except BaseException as e:  # noqa: BLE001 - the awaiting caller gets it
                if not fut.done():
                    _settle(fut, None, e)
                    try:
                        _async_ops.cancel(self._handle, op)
                    except Exception:  # noqa: BLE001 - the op may be gone already
                        pass

        return deliver

    async def _run(self, start: Callable[["EventHandler"], int],
                   on_progress: Optional[Callable[[ProgressEvent], Any]], resolve_on_submit: bool) -> Dict[str, Any]:
        loop = self._attach()
        fut: "asyncio.Future[Dict[str, Any]]" = loop.create_future()
        op = start(self._handler(fut, on_progress, resolve_on_submit))
        if not fut.done():
            self._pending[op] = fut
        try:
            return await fut
        except asyncio.CancelledError:
            if not fut.done() or fut.cancelled():
                self._pending.pop(op, None)
                if not self._handle.closed:
                    _async_ops.cancel(self._handle, op)
            raise

    async def generate(self, request_json: str, wait_json: Optional[str],
                       on_progress: Optional[Callable[[ProgressEvent], Any]], wait: bool) -> Dict[str, Any]:
        if not wait and wait_json is None:
            wait_json = '{"wait":false}'  # nothing to poll: the library stops after "submitted"
        return await self._run(lambda h: _async_ops.generate_async(self._handle, request_json, wait_json, h),
                               on_progress, resolve_on_submit=not wait)

    async def wait(self, task_id: str, wait_json: Optional[str],
                   on_progress: Optional[Callable[[ProgressEvent], Any]]) -> Dict[str, Any]:
        return await self._run(lambda h: _async_ops.task_wait_async(self._handle, task_id, wait_json, h),
                               on_progress, resolve_on_submit=False)


    async def resume(self, wait_json: Optional[str], on_progress: Optional[Callable[[ProgressEvent], Any]]
                     ) -> "Tuple[Dict[str, Any], Dict[int, Any]]":
        """kie_resume; awaits every resumed operation. Returns the answer and, per op, its
        "completed" event or the exception that ended it."""
        loop = self._attach()
        futures: Dict[int, "asyncio.Future[Dict[str, Any]]"] = {}

        def handle(op: int, status: int, event: Dict[str, Any]) -> None:
            fut = futures.get(op)
            if fut is None or fut.done():
                return
            kind = event.get("event")
            if status != KIE_OK or kind == "failed":
                self._pending.pop(op, None)
                detail = event.get("error") if isinstance(event.get("error"), dict) else {}
                fut.set_exception(_errors.error_from_detail(status, detail, status_text(status)))
            elif kind == "completed":
                self._pending.pop(op, None)
                fut.set_result(event)
            elif kind == "progress" and on_progress is not None:
                try:
                    on_progress(ProgressEvent.from_json(event))
                except BaseException as e:  # noqa: BLE001 - ends this op's wait with it
                    fut.set_exception(e)
                    _async_ops.cancel(self._handle, op)

        def deliver(op: int, status: int, event: Dict[str, Any]) -> None:
            if not loop.is_closed():
                loop.call_soon_threadsafe(handle, op, status, event)

        key, answer = _journal.resume_start(self._handle, wait_json, deliver)
        try:
            for r in answer.get("resumed", []):
                op = int(r.get("op") or 0)
                futures[op] = self._pending[op] = loop.create_future()
            done = await asyncio.gather(*futures.values(), return_exceptions=True)
            return answer, dict(zip(futures, done))
        except asyncio.CancelledError:
            for op, fut in futures.items():
                self._pending.pop(op, None)
                if not self._handle.closed:
                    _async_ops.cancel(self._handle, op)
            raise
        finally:
            _callbacks.unregister(key)


def _running_loop() -> Optional[asyncio.AbstractEventLoop]:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _settle(fut: "asyncio.Future[Dict[str, Any]]", result: Optional[Dict[str, Any]], error: Optional[BaseException]) -> None:
    """Resolves ``fut`` from any thread: directly on its loop's thread (dispatch from the fd
    reader), through call_soon_threadsafe otherwise (kie_client_free delivering final events)."""
    loop = fut.get_loop()
    if _running_loop() is not loop:
        if not loop.is_closed():
            loop.call_soon_threadsafe(_settle_here, fut, result, error)
        return
    _settle_here(fut, result, error)


def _settle_here(fut: "asyncio.Future[Dict[str, Any]]", result: Optional[Dict[str, Any]], error: Optional[BaseException]) -> None:
    if fut.done():
        return
    if error is not None:
        fut.set_exception(error)
    else:
        fut.set_result(result or {})
