"""Callback receivers with no third-party dependency (docs/webhooks.md): ``asgi_app(client)`` and
``wsgi_app(client)`` hand each POST to ``Client.deliver_webhook`` and answer kie only after the
library recorded the outcome, with the status and body the library gives for it
(``receiverAnswer``, ``receiverBody``):

- 200 ``{"code":200,"msg":"success"}``: recorded now, or already recorded (a duplicate);
- 400 not a callback body, 401 a bad, missing or old signature, 404 a task kie does not know for
  this account (nothing recorded: kie retries a genuine callback on any non-2xx);
- 413 a body over ``max_body`` bytes (default 1 MiB), 404 another path, 405 another method;
- 503 kie still reports the task running, or the confirming read failed: kie retries later.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Dict, Iterable, List, Mapping, Tuple, Union

from . import _errors

MAX_BODY = 1 << 20
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 405: "Method Not Allowed",
            413: "Payload Too Large", 503: "Service Unavailable"}


def deliver_args(headers: Any, body: Union[bytes, str]) -> Tuple[bytes, bytes]:
    """(headers JSON, body bytes) for kie_webhook_deliver from a mapping or (name, value) pairs."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not isinstance(body, (bytes, bytearray, memoryview)):
        raise TypeError(f"body must be bytes or str, not {type(body).__name__}")
    if headers is None or isinstance(headers, (str, bytes)):
        raise TypeError("headers must be a mapping or an iterable of (name, value) pairs")
    items = headers.items() if isinstance(headers, Mapping) else headers
    out: Dict[str, str] = {}
    for name, value in items:
        name = name.decode("latin-1") if isinstance(name, bytes) else name
        value = value.decode("latin-1") if isinstance(value, bytes) else value
        if not isinstance(name, str) or not isinstance(value, str):
            raise TypeError("header names and values must be str or bytes")
        out[name] = value
    return json.dumps(out).encode("utf-8"), bytes(body)


def _answer(client: Any, headers: List[Tuple[str, str]], body: bytes) -> Tuple[int, bytes]:
    # The library says what a receiver answers, delivered or refused (receiverAnswer, receiverBody).
    try:
        said = client.deliver_webhook(headers, body)
    except _errors.KieError as e:
        said = e.detail
        if not said.get("receiverAnswer"):
            # Not the delivery's refusal (e.g. the client was closed): kie retries on a 503.
            return 503, json.dumps({"code": 503, "msg": str(e)}).encode("utf-8")
    return int(said["receiverAnswer"]), str(said["receiverBody"]).encode("utf-8")


def _declared_length(scope: Dict[str, Any]) -> int:
    for name, value in scope.get("headers", []):
        if name.lower() == b"content-length" and value.isdigit():
            return int(value)
    return 0


def asgi_app(client: Any, path: str = "/", max_body: int = MAX_BODY) -> Callable[..., Any]:
    """An ASGI 3 application receiving kie's callbacks at ``path`` for ``client``; the blocking
    delivery runs in the loop's default executor."""

    async def app(scope: Dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        status, payload = 405, b'{"code":405,"msg":"POST only"}'
        if scope.get("path") != path:
            status, payload = 404, b'{"code":404,"msg":"no receiver at this path"}'
        elif scope.get("method") == "POST" and _declared_length(scope) > max_body:
            status, payload = 413, b'{"code":413,"msg":"body too large"}'
        elif scope.get("method") == "POST":
            body, more = b"", True
            while more and len(body) <= max_body:
                message = await receive()
                body += message.get("body", b"")
                more = message.get("more_body", False)
            if len(body) > max_body:
                status, payload = 413, b'{"code":413,"msg":"body too large"}'
            else:
                import asyncio
                target = scope.get("raw_path") or path.encode()
                qs = scope.get("query_string", b"")
                headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope.get("headers", [])]
                headers.append((":path", (target + (b"?" + qs if qs else b"")).decode("latin-1")))
                status, payload = await asyncio.get_running_loop().run_in_executor(None, _answer, client, headers, body)
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": payload})

    return app


def wsgi_app(client: Any, path: str = "/", max_body: int = MAX_BODY) -> Callable[..., Iterable[bytes]]:
    """A WSGI application receiving kie's callbacks at ``path`` for ``client``."""

    def app(environ: Dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        status, payload = 405, b'{"code":405,"msg":"POST only"}'
        length = int(environ.get("CONTENT_LENGTH") or 0)
        if environ.get("PATH_INFO", "") != path:
            status, payload = 404, b'{"code":404,"msg":"no receiver at this path"}'
        elif environ.get("REQUEST_METHOD") == "POST" and length > max_body:
            status, payload = 413, b'{"code":413,"msg":"body too large"}'
        elif environ.get("REQUEST_METHOD") == "POST":
            body = environ["wsgi.input"].read(length)
            headers = [(k[5:].replace("_", "-").lower(), v) for k, v in environ.items() if k.startswith("HTTP_")]
            query = environ.get("QUERY_STRING", "")
            headers.append((":path", path + ("?" + query if query else "")))
            status, payload = _answer(client, headers, body)
        start_response(f"{status} {_REASONS[status]}", [("Content-Type", "application/json"),
                                                        ("Content-Length", str(len(payload)))])
        return [payload]

    return app
