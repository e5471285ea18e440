"""The journal's C calls: list, resolve, and resume (blocking, or started for the asyncio bridge)."""

from __future__ import annotations

from ctypes import byref, c_char_p, c_void_p

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, Optional, Tuple

    from ._callbacks import EventHandler
    from ._handles import Handle

from . import _json
from ._blocking import Waiter, wait_ops
from ._callbacks import event_trampoline, register, unregister
from ._handles import Use
from ._loader import function
from ._marshal import KIE_OK, check, encode, encode_optional, error, free_out, take


def journal_list(handle: Handle) -> Dict[str, Any]:
    start = function("kie_journal_list")
    out = c_char_p()
    try:
        with Use(handle) as c:
            check(start(c, byref(out)))
        return dict(_json.loads(take(out) or "{}"))
    finally:
        free_out(out)


def journal_resolve(handle: Handle, entry_id: str, task_id: Optional[str]) -> None:
    resolve = function("kie_journal_resolve")
    with Use(handle) as c:
        check(resolve(c, encode(entry_id, "id"), encode_optional(task_id, "task_id")))


def resume_start(handle: Handle, wait_json: Optional[str], on_event: EventHandler) -> Tuple[int, Dict[str, Any]]:
    """kie_resume with ``on_event(op, status, event)`` for every resumed operation. Returns the
    registration key (``unregister`` it once every op ended) and the answer."""
    resume_fn = function("kie_resume")
    key, _ = register(on_event, multi=True)
    out = c_char_p()
    try:
        with Use(handle) as c:
            status = resume_fn(c, encode_optional(wait_json, "wait"), event_trampoline, c_void_p(key), byref(out))
            if status != KIE_OK:
                raise error(status)
        return key, dict(_json.loads(take(out) or "{}"))
    except BaseException:
        unregister(key)
        raise
    finally:
        free_out(out)


def resume(handle: Handle, wait_json: Optional[str], on_event: Optional[Callable[[Dict[str, Any]], Any]]
           ) -> Tuple[Dict[str, Any], Dict[int, Any]]:
    """kie_resume, then waits on this thread until every resumed operation ended. Returns the
    answer and, per op, its "completed" event or the exception that ended it. Ctrl-C or an
    exception from ``on_event`` cancels the operations still running."""
    waiter = Waiter()
    key, answer = resume_start(handle, wait_json, waiter.push)
    ops = {int(r.get("op") or 0) for r in answer.get("resumed", [])}
    try:
        outcomes = wait_ops(handle, ops, waiter, on_event)
    finally:
        unregister(key)
    return answer, outcomes
