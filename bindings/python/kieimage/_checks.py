"""Python type checks of arguments, worded as Python's own TypeErrors. Values are the library's to
validate (it names the field at fault); these only check that a value is of a Python type the
library's JSON can carry."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Tuple


def type_name(value: Any) -> str:
    return type(value).__name__


def check_type(name: str, value: Any, types: Tuple[type, ...], optional: bool = True) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) and bool not in types:
        raise TypeError(f"{name} must be {' or '.join(t.__name__ for t in types)}, not bool")
    if not isinstance(value, types):
        allowed = " or ".join(t.__name__ for t in types) + (" or None" if optional else "")
        raise TypeError(f"{name} must be {allowed}, not {type_name(value)}")


def check_callable(name: str, value: Any) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, not {type_name(value)}")


def enum_value(value: Any) -> Any:
    """An Enum member's value, anything else as it is. No Enum can exist before the enum module is
    loaded, so this does not import it (start-up time, BENCHMARKS.md P6)."""
    enum = sys.modules.get("enum")
    return value.value if enum is not None and isinstance(value, enum.Enum) else value
