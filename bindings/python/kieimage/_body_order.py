"""The 4o request body's field order, learned from the library, its one owner.

``request_body`` saves parsing the library's body when the library changed nothing: the bytes it
returns equal the bytes sent (BENCHMARKS.md, P4). That needs ``build_request`` to write a 4o
request's fields in the order the library writes them. The order is not restated here: on first
use, the library builds one request with every field (``_SAMPLE``, whose values only need to pass
validation; the order it is written in does not matter) and the order of the keys it answers with
is the order ``build_request`` writes from then on.

The writer is made for that order once, as straight-line code (``exec`` of a function with one
``if`` per field, over these names only): a loop over the learned order costs about 9,000 more
instructions per call than the straight-line writes (callgrind, python 3.11). Should the library
refuse the sample, the fields it did not name come last: bodies then differ from the request, and
``request_body`` parses them (slower, still correct).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Callable, Dict, List

from . import _errors, _json, _lib

# Body field -> the writer's parameter holding its value (alphabetical: not the library's order).
_FIELD_ARGS = {
    "callBackUrl": "callback_url", "enableFallback": "enable_fallback", "fallbackModel": "fallback_model",
    "filesUrl": "files", "isEnhance": "enhance", "maskUrl": "mask", "nVariants": "variants", "prompt": "prompt",
    "size": "size", "uploadCn": "upload_cn",
}
# The writer's parameters, in the order build_request passes them; tag (never sent) is written last.
PARAMS = ("prompt", "files", "size", "variants", "mask", "callback_url", "enhance", "upload_cn", "enable_fallback",
          "fallback_model", "tag")
_SAMPLE: Dict[str, Any] = {
    "callBackUrl": "https://example.com/hook", "enableFallback": True, "fallbackModel": "FLUX_MAX",
    "filesUrl": ["https://example.com/a.png"], "isEnhance": False, "maskUrl": "https://example.com/m.png",
    "nVariants": 1, "prompt": "x", "size": "1:1", "uploadCn": False,
}

_writer: "Callable[..., Dict[str, Any]] | None" = None


def learned_order() -> List[str]:
    """The 4o body fields in the order the library writes them: asks the library each time."""
    try:
        order = list(_json.loads(_lib.request_build(_json.dumps(_SAMPLE).encode("utf-8"))))
    except (_errors.KieError, ValueError):
        order = []
    return [f for f in order if f in _FIELD_ARGS] + [f for f in _FIELD_ARGS if f not in order]


def _compile(order: List[str]) -> Callable[..., Dict[str, Any]]:
    lines = [f"def write({', '.join(PARAMS)}):", "    request = {}"]
    for field in order + ["tag"]:
        arg = _FIELD_ARGS.get(field, "tag")
        lines += [f"    if {arg} is not None:", f"        request[{field!r}] = {arg}"]
    lines.append("    return request")
    namespace: Dict[str, Any] = {}
    exec(compile("\n".join(lines) + "\n", "<kieimage._body_order.write>", "exec"), namespace)  # noqa: S102
    return namespace["write"]  # type: ignore[no-any-return]


def writer() -> Callable[..., Dict[str, Any]]:
    """``write(*PARAMS)``: the 4o request dict, fields that are not None in the library's order."""
    global _writer
    if _writer is None:
        _writer = _compile(learned_order())
    return _writer
