"""Callbacks kie.ai POSTs to ``callback_url``: parse and verify them with the library, or
serve them with ``asgi_app(client)`` / ``wsgi_app(client)`` so they end the client's waits.

kie.ai signs ``taskId + "." + timestamp`` (HMAC-SHA256 with the account's webhook key) in the
``X-Webhook-Timestamp`` and ``X-Webhook-Signature`` headers; the body itself is not signed, so
confirm a callback with ``Client.task(event.task_id)`` before trusting its contents (the
receivers do: ``Client.deliver_webhook``, docs/webhooks.md).
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterable, Mapping, Optional, Tuple, Union

from . import _lib
from ._receivers import asgi_app, deliver_args, wsgi_app  # noqa: F401 (re-exported)
from .models import WebhookEvent

__all__ = ["verify_webhook", "parse_webhook", "asgi_app", "wsgi_app", "TIMESTAMP_HEADER", "SIGNATURE_HEADER"]

TIMESTAMP_HEADER = "X-Webhook-Timestamp"
SIGNATURE_HEADER = "X-Webhook-Signature"

Body = Union[bytes, bytearray, memoryview, str]
Headers = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


def _body(body: Body) -> bytes:
    if isinstance(body, str):
        return body.encode("utf-8")
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    raise TypeError(f"body must be bytes or str, not {type(body).__name__}")


def _header(headers: Headers, name: str) -> Optional[str]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    wanted = name.lower()
    for key, value in items:
        if not isinstance(key, str):
            raise TypeError(f"header names must be str, not {type(key).__name__}")
        if key.lower() == wanted:
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if not isinstance(value, str):
                raise TypeError(f"header {name} must be str, not {type(value).__name__}")
            return value
    return None


def parse_webhook(body: Body) -> WebhookEvent:
    """Parses a callback body without checking its signature."""
    return WebhookEvent.from_json(json.loads(_lib.webhook_parse(_body(body))))


def verify_webhook(key: str, body: Body, headers: Headers, tolerance: Optional[int] = None,
                   now: Optional[float] = None) -> WebhookEvent:
    """Checks the callback's signature headers against ``key`` and returns the parsed event.

    Raises SignatureError when a header is missing, the signature is wrong, or the timestamp is
    more than ``tolerance`` seconds from ``now`` (default: the current time). ``tolerance``
    None is the library's default window (docs/kie-api.md §3a).
    """
    if not isinstance(key, str):
        raise TypeError(f"key must be str, not {type(key).__name__}")
    if tolerance is not None and (isinstance(tolerance, bool) or not isinstance(tolerance, int)):
        raise TypeError(f"tolerance must be an int number of seconds or None, not {type(tolerance).__name__}")
    if tolerance is not None and tolerance <= 0:
        raise ValueError("tolerance must be a positive number of seconds (or None for the library's default)")
    if headers is None or isinstance(headers, (str, bytes)):
        raise TypeError("headers must be a mapping or an iterable of (name, value) pairs")
    if now is not None and (isinstance(now, bool) or not isinstance(now, (int, float))):
        raise TypeError(f"now must be a Unix time in seconds, not {type(now).__name__}")
    raw = _body(body)
    answer = _lib.webhook_verify(key, raw, _header(headers, TIMESTAMP_HEADER), _header(headers, SIGNATURE_HEADER),
                                 int(time.time() if now is None else now), 0 if tolerance is None else tolerance)
    return WebhookEvent.from_json(json.loads(answer))
