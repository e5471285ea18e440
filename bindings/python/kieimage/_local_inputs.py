"""Local files as request inputs (docs/inputs-proxies-budget.md, "Local files as inputs").

The library uploads local paths and ``file:`` URLs found where a request takes image URLs, once
per content digest. Python adds the objects only it has: a ``pathlib.Path`` (or any
``os.PathLike``) becomes its absolute path; ``bytes``, ``bytearray``, ``memoryview`` and binary
file objects are written to a private temporary file (named with the extension of the content's
image type) whose path goes to the library, and which is deleted when the call returns. No
upload happens here.
"""

from __future__ import annotations

import os

from ._checks import type_name

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional

__all__ = ["LocalInputs", "paths_only"]

# Keyword arguments that hold image URLs besides the Market ``*_url``/``*_urls`` inputs.
_URL_ARGUMENTS = frozenset(("files", "mask", "images"))


def _takes_urls(name: str) -> bool:
    return name in _URL_ARGUMENTS or name.endswith("_url") or name.endswith("_urls")


def _needs_work(value: Any) -> bool:
    if value is None or type(value) is str:
        return False
    if isinstance(value, (list, tuple)):
        return any(type(v) is not str for v in value)
    return True


def _extension(head: bytes) -> str:
    """The file extension of an image's first bytes (the library checks the type the same way)."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if head.startswith(b"\xff\xd8\xff"):
        return ".jpeg"
    if len(head) >= 12 and head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return ".webp"
    if head.startswith(b"GIF8"):
        return ".gif"
    return ".bin"


class LocalInputs:
    """``with LocalInputs(request) as request:`` the keyword arguments with their local objects
    made into path strings; the temporary files are deleted on exit."""

    def __init__(self, request: Dict[str, Any]) -> None:
        self._temp: List[str] = []
        self._request = request

    def __enter__(self) -> Dict[str, Any]:
        try:
            return _converted(self._request, self._temp)
        except BaseException:
            self.__exit__()
            raise

    def __exit__(self, *exc: Any) -> None:
        for path in self._temp:
            try:
                os.unlink(path)
            except OSError:
                pass
        self._temp.clear()


def paths_only(request: Dict[str, Any]) -> Dict[str, Any]:
    """The keyword arguments with ``os.PathLike`` values made absolute path strings; bytes and
    file objects are refused (they need a call that outlives their temporary file)."""
    return _converted(request, None)


def _converted(request: Dict[str, Any], temp: Optional[List[str]]) -> Dict[str, Any]:
    if not any(_needs_work(v) and _takes_urls(k) for k, v in request.items()):
        return request
    out = dict(request)
    for name, value in request.items():
        if not _takes_urls(name) or not _needs_work(value):
            continue
        if isinstance(value, (list, tuple)):
            out[name] = [_one(f"{name}[{i}]", v, temp) for i, v in enumerate(value)]
        else:
            out[name] = _one(name, value, temp)
    return out


def _one(name: str, value: Any, temp: Optional[List[str]]) -> Any:
    if type(value) is str or isinstance(value, str):
        return value
    if isinstance(value, os.PathLike):
        return os.path.abspath(os.fsdecode(os.fspath(value)))
    if isinstance(value, (bytes, bytearray, memoryview)):
        data = bytes(value)
    elif callable(getattr(value, "read", None)):
        data = value.read()
        if isinstance(data, str):
            raise TypeError(f"{name}: the file object must be opened in binary mode ('rb'), not text mode")
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"{name}: the file object's read() returned {type_name(data)}, not bytes")
    else:
        return value  # not ours: build_request names the type it expected
    if temp is None:
        raise TypeError(f"{name}: bytes and file objects are taken by Client.generate and run (and their async "
                        "forms), not here: pass a path or a URL")
    return _write_temp(bytes(data), temp)


def _write_temp(data: bytes, temp: List[str]) -> str:
    import tempfile
    fd, path = tempfile.mkstemp(prefix="kieimage-input-", suffix=_extension(data[:12]))  # mode 0600
    temp.append(path)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path
