"""The loader: finds libkieimage, loads it, applies the signature table, checks the C ABI version.

The library is loaded by absolute path: ``$KIEIMAGE_LIB`` or the copy bundled in this package.
Importing fails with ImportError when it is missing, lacks a required function or was built for
another C ABI version. ``function(name)`` is how every other module reaches a C function.
"""

from __future__ import annotations

import ctypes
import os
import sys

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Dict, Tuple

from . import _errors
from ._signatures import REQUIRED, SIGNATURES

ABI_VERSION = 1
"""The KIE_ABI_VERSION these bindings were written against."""

_LIB_FILE = {"darwin": "libkieimage.dylib", "win32": "kieimage.dll"}.get(sys.platform, "libkieimage.so")


def library_path() -> str:
    """The absolute path the library is (or would be) loaded from."""
    override = os.environ.get("KIEIMAGE_LIB")
    if override:
        if not os.path.isabs(override):
            raise ImportError(f"KIEIMAGE_LIB must be an absolute path to {_LIB_FILE}, got {override!r}")
        return override
    return os.path.join(os.path.dirname(os.path.abspath(__file__)), _LIB_FILE)


def _load() -> Tuple[ctypes.CDLL, str, Dict[str, Any]]:
    path = library_path()
    if not os.path.exists(path):
        raise ImportError(
            f"kieimage: {path} not found. Install the package with its bundled library "
            f"(pip install ./bindings/python after building it), or set KIEIMAGE_LIB to the absolute "
            f"path of {_LIB_FILE}.")
    try:
        lib = ctypes.CDLL(path)
    except OSError as e:
        raise ImportError(f"kieimage: cannot load {path}: {e}") from e
    functions: Dict[str, Any] = {}
    missing = []
    for name, argtypes, restype in SIGNATURES:
        try:
            fn = getattr(lib, name)
        except AttributeError:
            missing.append(name)
            continue
        fn.argtypes = argtypes
        fn.restype = restype
        functions[name] = fn
    required_missing = sorted(REQUIRED.intersection(missing))
    if required_missing:
        raise ImportError(f"kieimage: {path} is not a compatible libkieimage (missing {', '.join(required_missing)})")
    found = functions["kie_abi_version"]()
    if found != ABI_VERSION:
        raise ImportError(
            f"kieimage: {path} has C ABI version {found}, these bindings need version {ABI_VERSION}. "
            f"Install bindings and library from the same release, or point KIEIMAGE_LIB at a matching library.")
    return lib, path, functions


_cdll, LIBRARY_PATH, fn = _load()
"""``fn``: the loaded functions by name; the required ones are always present."""


def has(name: str) -> bool:
    """Whether the loaded library exports ``name`` (a function of the signature table)."""
    return name in fn


def function(name: str) -> Any:
    """The C function ``name``, or MissingFunctionError when the library is older than the table."""
    found = fn.get(name)
    if found is None:
        raise _errors.MissingFunctionError(
            f"{LIBRARY_PATH} lacks {name}(); it is older than these bindings", name="MISSING_FUNCTION")
    return found


def version() -> str:
    raw: bytes = fn["kie_version"]()
    return raw.decode("ascii", "replace")


def abi_version() -> int:
    return int(fn["kie_abi_version"]())
