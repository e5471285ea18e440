"""JSON to and from the library, with the encoder and scanner made once.

``json.dumps`` and ``json.loads`` build a new C encoder, re-check their arguments and run two
regular expressions on every call: for the small documents the binding exchanges with the library
that is about a third of their cost (BENCHMARKS.md, P4). These call CPython's C encoder and scanner
directly and fall back to the ``json`` module for anything unusual, so errors read as ``json``'s own.
"""

from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from json.scanner import c_make_scanner  # type: ignore[attr-defined]

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)
_DECODER = json.JSONDecoder()


def _not_serializable(value: Any) -> Any:
    return _ENCODER.default(value)


# No circular-reference markers (a shared dict would make two threads encoding the same list see a
# "cycle"): a cyclic value recurses until RecursionError, and dumps then lets json word the error.
_encode = (c_make_encoder(None, _not_serializable, encode_basestring, None, ":", ",", False, False, True)
           if c_make_encoder is not None else None)
_scan = c_make_scanner(_DECODER) if c_make_scanner is not None else None


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII characters kept as they are (the library reads UTF-8)."""
    if _encode is None:
        return _ENCODER.encode(value)
    try:
        return "".join(_encode(value, 0))
    except RecursionError:
        return _ENCODER.encode(value)  # ValueError("Circular reference detected") for a cycle


def loads(text: str) -> Any:
    """The value of one JSON document (``json.loads``; its JSONDecodeError for bad text)."""
    if _scan is not None:
        try:
            value, end = _scan(text, 0)
        except StopIteration:
            pass
        else:
            if end == len(text):
                return value
    return _DECODER.decode(text)  # leading or trailing whitespace, extra data, or the error


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
