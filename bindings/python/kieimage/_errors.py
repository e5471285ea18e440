"""Exceptions mirroring the C ABI's kie_status values (include/kieimage.h).

Each exception carries the fields of the library's error detail JSON as attributes. The library
never puts the API key into that JSON, and nothing here adds to it.
"""

from __future__ import annotations

import builtins

from . import _json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Type

__all__ = [
    "KieError",
    "InvalidArgumentError",
    "ValidationError",
    "AuthenticationError",
    "InsufficientCreditsError",
    "NotFoundError",
    "RateLimitError",
    "UnavailableError",
    "ServerError",
    "NetworkError",
    "TimeoutError",
    "UnknownOutcomeError",
    "TaskFailedError",
    "CancelledError",
    "ProtocolError",
    "SignatureError",
    "FileIOError",
    "InternalError",
    "QuotaError",
    "LedgerError",
    "BudgetError",
    "MissingFunctionError",
]


class KieError(Exception):
    """A failed libkieimage call.

    Attributes mirror the detail JSON of ``kie_last_error()`` (or a "failed" event):
    ``status`` (negative int), ``name`` ("RATE_LIMITED", ...), ``message``, ``api_code`` (the body
    ``code`` kie.ai answered), ``http_status``, ``task_id``, ``retryable``, ``attempts``,
    ``field`` (the request field at fault, in the API's spelling), ``request`` (for an unknown
    outcome: the body that was sent), ``raw`` (an unparseable answer, redacted) and ``detail``
    (the whole JSON object).
    """

    status: int = -17
    argument: Optional[str] = None

    def __init__(self, message: str = "", *, status: Optional[int] = None, name: Optional[str] = None,
                 detail: Optional[Dict[str, Any]] = None) -> None:
        detail = dict(detail or {})
        if status is not None:
            self.status = status
        self.name: str = str(name or detail.get("name") or type(self).__name__)
        self.message: str = str(message or detail.get("message") or self.name)
        self.api_code: Optional[int] = detail.get("apiCode")
        self.http_status: Optional[int] = detail.get("httpStatus")
        self.task_id: Optional[str] = detail.get("taskId")
        self.retryable: bool = bool(detail.get("retryable", False))
        self.attempts: int = int(detail.get("attempts") or 0)
        self.field: Optional[str] = detail.get("field")
        self.request: Optional[Any] = detail.get("request")
        self.raw: Optional[str] = detail.get("raw")
        self.detail: Dict[str, Any] = detail
        super().__init__(self.message)

    def __str__(self) -> str:
        parts = [self.message]
        if self.field:
            parts.append(f"field={self.field}")
        if self.task_id:
            parts.append(f"task_id={self.task_id}")
        if self.api_code is not None:
            parts.append(f"api_code={self.api_code}")
        return " ".join([parts[0]] + ([f"({', '.join(parts[1:])})"] if len(parts) > 1 else []))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status}, name={self.name!r})"


class InvalidArgumentError(KieError, ValueError):
    """KIE_E_INVALID_ARGUMENT: malformed input the library refused (bad JSON, bad UTF-8, unknown key)."""
    status = -1


class ValidationError(KieError, ValueError):
    """KIE_E_VALIDATION: the request breaks the API's rules; ``field`` names the field
    (API spelling, e.g. ``nVariants``) and ``argument`` the Python keyword (``variants``) when known."""
    status = -2


class AuthenticationError(KieError):
    """KIE_E_AUTH: the API key was refused (401)."""
    status = -3


class InsufficientCreditsError(KieError):
    """KIE_E_INSUFFICIENT_CREDITS (402)."""
    status = -4


class NotFoundError(KieError):
    """KIE_E_NOT_FOUND (404), e.g. an unknown task id."""
    status = -5


class RateLimitError(KieError):
    """KIE_E_RATE_LIMITED: 429 after the library's retry budget."""
    status = -6


class UnavailableError(KieError):
    """KIE_E_UNAVAILABLE: maintenance (455), queue full (550) or 503."""
    status = -7


class ServerError(KieError):
    """KIE_E_SERVER: a 5xx answer after the retry budget."""
    status = -8


class NetworkError(KieError):
    """KIE_E_NETWORK: the request never reached the server (DNS, connect, TLS)."""
    status = -9


class TimeoutError(KieError, builtins.TimeoutError):
    """KIE_E_TIMEOUT: a deadline passed. Also a builtins.TimeoutError."""
    status = -10


class UnknownOutcomeError(KieError):
    """KIE_E_UNKNOWN_OUTCOME: a generate request was sent but no answer came. It may have been
    accepted and charged; ``request`` holds the body that was sent. Never retried blindly."""
    status = -11


class TaskFailedError(KieError):
    """KIE_E_TASK_FAILED: the task ended CREATE_TASK_FAILED or GENERATE_FAILED."""
    status = -12


class CancelledError(KieError):
    """KIE_E_CANCELLED: the operation was cancelled (e.g. its client was closed)."""
    status = -13


class ProtocolError(KieError):
    """KIE_E_PROTOCOL: the server's answer could not be understood."""
    status = -14


class SignatureError(KieError):
    """KIE_E_SIGNATURE: webhook signature missing, wrong or outside the time window."""
    status = -15


class FileIOError(KieError, OSError):
    """KIE_E_IO: a local file could not be read or written."""
    status = -16


class InternalError(KieError):
    """KIE_E_INTERNAL: a bug in libkieimage, reported rather than crashing."""
    status = -17


class QuotaError(KieError):
    """KIE_E_QUOTA: body code 433, the API key's own usage cap (hourly, daily or total, set in
    kie's console) is used up. Never retried; distinct from InsufficientCreditsError (the
    account's balance). Raise the cap in the console or wait for its window to pass."""
    status = -18


class LedgerError(KieError):
    """KIE_E_LEDGER: the shared ledger (docs/ledger.md) is unreachable, not migrated or refusing;
    nothing was sent. The message names the engine and the cause, never a password."""
    status = -19


class BudgetError(KieError):
    """KIE_E_BUDGET: the generate's price would take the client's spend above ``max_credits``
    (docs/inputs-proxies-budget.md, "Budget"). Raised before anything is sent; ``field`` is
    ``model`` when the model's price is unknown (a budget is never passed on a guess)."""
    status = -20


class MissingFunctionError(KieError, NotImplementedError):
    """The loaded libkieimage lacks a function these bindings need (it is older than them)."""
    status = -17


_BY_STATUS: Dict[int, Type[KieError]] = {
    cls.status: cls
    for cls in (InvalidArgumentError, ValidationError, AuthenticationError, InsufficientCreditsError,
                NotFoundError, RateLimitError, UnavailableError, ServerError, NetworkError, TimeoutError,
                UnknownOutcomeError, TaskFailedError, CancelledError, ProtocolError, SignatureError,
                FileIOError, InternalError, QuotaError, LedgerError, BudgetError)
}


def error_class(status: int) -> Type[KieError]:
    """The exception class for a kie_status value; unknown values map to KieError itself."""
    return _BY_STATUS.get(status, KieError)


def error_from_detail(status: int, detail: Any, status_text: str = "") -> KieError:
    """Builds the exception for ``status`` from the library's detail (JSON text or parsed dict)."""
    if isinstance(detail, (bytes, str)):
        try:
            detail = _json.loads(detail) if detail else {}
        except ValueError:
            detail = {"message": detail.decode("utf-8", "replace") if isinstance(detail, bytes) else detail}
    if not isinstance(detail, dict):
        detail = {}
    # kie_last_error is thread-local and replaced only by a failing call: trust it only when it
    # describes this status.
    if detail.get("status") not in (None, status):
        detail = {}
    cls = error_class(status)
    return cls(detail.get("message") or status_text, status=status, name=detail.get("name"), detail=detail)
