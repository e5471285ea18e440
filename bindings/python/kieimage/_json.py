"""JSON to and from the library, through CPython's C encoder and scanner made once.

``json.dumps`` and ``json.loads`` build a new C encoder, re-check their arguments and run two
regular expressions on every call: for the small documents the binding exchanges with the library
that is about a third of their cost (BENCHMARKS.md, P4). And importing the ``json`` package
compiles its regular expressions: about a fifth of ``import kieimage; Client()`` (P6). These call
the C module ``_json`` directly; the ``json`` package is imported only for what they hand over to
it (bad text, a cycle, an interpreter without ``_json``), so errors read as ``json``'s own.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

try:
    import _json as _c
except ImportError:  # not CPython: the json package does it all
    _c = None


def _not_serializable(value: Any) -> Any:
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


class _ScanContext:
    """What the C scanner reads from a json.JSONDecoder: json.loads' defaults."""
    strict = True
    object_hook = None
    object_pairs_hook = None
    parse_float = float
    parse_int = int
    parse_constant = {"-Infinity": float("-inf"), "Infinity": float("inf"), "NaN": float("nan")}.__getitem__


# No circular-reference markers (a shared dict would make two threads encoding the same list see a
# "cycle"): a cyclic value recurses until RecursionError, and dumps then lets json word the error.
if _c is not None:
    _ascii = _c.make_encoder(None, _not_serializable, _c.encode_basestring_ascii, None, ":", ",", False, False, True)
    _utf8 = _c.make_encoder(None, _not_serializable, _c.encode_basestring, None, ":", ",", False, False, True)
    _scan = _c.make_scanner(_ScanContext())


def _json() -> Any:
    import json
    return json


def dumps(value: Any, ascii_only: bool = True) -> str:
    """Compact JSON text, as ``json.dumps(value, separators=(",", ":"), ensure_ascii=ascii_only)``."""
    if _c is not None:
        try:
            return "".join((_ascii if ascii_only else _utf8)(value, 0))
        except RecursionError:
            pass  # a cycle (json says so), or nesting too deep for either
    return str(_json().dumps(value, separators=(",", ":"), ensure_ascii=ascii_only))


def loads(text: Any) -> Any:
    """The value of one JSON document, as ``json.loads(text)`` (its JSONDecodeError for bad text)."""
    if _c is not None:
        if isinstance(text, (bytes, bytearray)) and not text.startswith(b"\xef\xbb\xbf") and b"\x00" not in text[:4]:
            text = text.decode("utf-8", "surrogatepass")  # json.loads' own reading of UTF-8 bytes
        if type(text) is str:
            try:
                value, end = _scan(text, 0)
            except StopIteration:
                pass
            else:
                if end == len(text):
                    return value
    return _json().loads(text)  # whitespace around the document, extra data, or the error


_SCALARS = (str, int, bool, float, type(None))


def _copy(value: Any, depth: int) -> Any:
    kind = type(value)
    if kind is dict:
        copy = {}
        for key, item in value.items():
            if type(key) is not str:
                return _copy  # the marker: not plain
            if type(item) in _SCALARS:
                copy[key] = item
            else:
                item = _copy(item, depth + 1) if depth < 64 else _copy
                if item is _copy:
                    return _copy
                copy[key] = item
        return copy
    if kind is list:
        items = []
        for item in value:
            if type(item) not in _SCALARS:
                item = _copy(item, depth + 1) if depth < 64 else _copy
                if item is _copy:
                    return _copy
            items.append(item)
        return items
    return value if kind in _SCALARS else _copy


def plain_copy(value: Any) -> Any:
    """A fresh copy of ``value`` if ``loads(dumps(value))`` would equal it in value and type
    (dicts with str keys, lists, str, int, bool, float, None, no subclasses, nested at most 64
    deep), else ``None``."""
    copy = _copy(value, 0)
    return None if copy is _copy else copy
