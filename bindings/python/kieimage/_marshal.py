"""Python values to and from C: ``str`` arguments as UTF-8 bytes, owned ``char *`` results copied
and freed, and the exception for a failing status.

Owned ``char *`` results come back in a ``c_char_p``, whose ``.value`` copies them, and are freed
with ``kie_string_free`` in ``finally``; ``kie_last_error`` is read right after the failing call,
on the same thread (it is thread-local).
"""

from __future__ import annotations

from ctypes import c_char_p

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

from . import _errors
from ._loader import fn

KIE_OK = 0
KIE_E_CANCELLED = -13


def encode(value: str, what: str) -> bytes:
    if not isinstance(value, str):
        raise TypeError(f"{what} must be str, not {type(value).__name__}")
    if "\x00" in value:
        raise ValueError(f"{what} must not contain NUL characters")
    return value.encode("utf-8", "strict")


def encode_optional(value: Optional[str], what: str) -> Optional[bytes]:
    return None if value is None else encode(value, what)


def status_text(status: int) -> str:
    raw = fn["kie_status_str"](status)
    return raw.decode("utf-8", "replace") if raw else ""


def error(status: int) -> _errors.KieError:
    """The exception for a failed call; reads the thread-local detail at once, on this thread."""
    raw = fn["kie_last_error"]()
    return _errors.error_from_detail(status, raw or b"", status_text(status))


def check(status: int) -> None:
    if status != KIE_OK:
        raise error(status)


def failure(status: int, event: Dict[str, Any]) -> _errors.KieError:
    """The exception for a "failed" event (or an event with a failing status)."""
    detail = event.get("error") if isinstance(event.get("error"), dict) else {}
    return _errors.error_from_detail(status or _errors.InternalError.status, detail, status_text(status))


def take(out: c_char_p) -> str:
    """Copies an owned char * result and frees it."""
    try:
        data = out.value
        return data.decode("utf-8", "replace") if data is not None else ""
    finally:
        free_out(out)


def free_out(out: c_char_p) -> None:
    if out:  # a non-NULL pointer (reading .value would copy the string)
        fn["kie_string_free"](out)
        out.value = None
