"""Generate requests from keyword arguments: ``build_request`` (the request JSON object, API field
names), ``request_body`` (what the library would send for it) and ``market_models``.

Which field belongs to which family is the library's to say: a 4o argument in a Market request
(``model=``) is written where a 4o body holds it, a Market argument without ``model=`` under
``input``, and kie_request_build's validation error is raised as the TypeError, with the
argument named.
"""

from __future__ import annotations

from . import _body_order, _errors, _json, _lib, _local_inputs
from ._checks import check_type, enum_value, type_name

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

    from .models import FallbackModel, Size

__all__ = ["build_request", "request_body", "market_models", "name_argument"]

# Request field (API spelling, as the library names it in ValidationError.field) -> Python keyword.
_ARGUMENT_OF_FIELD = {
    "prompt": "prompt", "size": "size", "filesUrl": "files", "fileUrl": "files", "maskUrl": "mask",
    "nVariants": "variants", "callBackUrl": "callback_url", "isEnhance": "enhance", "uploadCn": "upload_cn",
    "enableFallback": "fallback", "fallbackModel": "fallback", "idempotencyKey": "idempotency_key",
}


def build_request(prompt: Optional[str] = None, size: Union[str, Size, None] = None, *,
                  files: Optional[Sequence[str]] = None, mask: Optional[str] = None,
                  variants: Optional[int] = None, callback_url: Optional[str] = None,
                  enhance: Optional[bool] = None, upload_cn: Optional[bool] = None,
                  fallback: Union[bool, str, FallbackModel, None] = None, tag: Optional[str] = None,
                  model: Optional[str] = None, aspect_ratio: Optional[str] = None, resolution: Optional[str] = None,
                  quality: Optional[str] = None, background: Optional[str] = None,
                  images: Optional[Sequence[str]] = None, idempotency_key: Optional[str] = None,
                  **input: Any) -> Dict[str, Any]:
    """The generate request JSON object (API field names) for these keyword arguments.

    Without ``model``: a 4o (GPT Image 1) request. With ``model`` (a Market model id; see
    docs/models.md): ``{"model", "input", "callBackUrl"}``, ``input`` holding ``prompt``,
    ``aspect_ratio``, ``resolution``, ``quality``, ``background``, ``images`` (``input_urls``) and
    any other keyword as given. ``tag`` (the caller's key for the work item) and ``idempotency_key``
    (docs/ledger.md: a second generate with it returns the first one's answer) are never sent to kie.
    Only Python types are checked here; the library validates values and raises ValidationError
    naming the field. An argument of the other family is a TypeError with the library's reason.
    """
    if tag is not None and type(tag) is not str:
        check_type("tag", tag, (str,))
    if idempotency_key is not None:
        return _keyed(idempotency_key, build_request(prompt, size, files=files, mask=mask, variants=variants, callback_url=callback_url, enhance=enhance, upload_cn=upload_cn, fallback=fallback, tag=tag, model=model, aspect_ratio=aspect_ratio, resolution=resolution, quality=quality, background=background, images=images, **input))  # noqa: E501
    if model is not None:
        return _market_request(model, prompt, callback_url, tag, (files, size, variants, mask, enhance, upload_cn,
                               fallback), _market_input(prompt, aspect_ratio, resolution, quality, background, images, input))
    if input or aspect_ratio is not None or resolution is not None or quality is not None or background is not None \
            or images is not None:
        _refuse_market_arguments(_market_input(None, aspect_ratio, resolution, quality, background, images, input))
    # The common case (every argument None or of its type) costs one test each (BENCHMARKS.md, P4).
    # A subclass of str or int becomes the plain value json would write: the 4o dict holds only
    # str, int, bool and lists of str, all made here (request_body relies on it).
    if prompt is not None and type(prompt) is not str:
        check_type("prompt", prompt, (str,))
        prompt = str.__str__(prompt)
    if size is not None and type(size) is not str:
        check_type("size", size, (str,))
        size = str(enum_value(size))
    if mask is not None and type(mask) is not str:
        check_type("mask", mask, (str,))
        mask = str.__str__(mask)
    if variants is not None and type(variants) is not int:
        check_type("variants", variants, (int,))
        variants = int.__int__(variants)
    if callback_url is not None and type(callback_url) is not str:
        check_type("callback_url", callback_url, (str,))
        callback_url = str.__str__(callback_url)
    if enhance is not None and type(enhance) is not bool:
        check_type("enhance", enhance, (bool,))
    if upload_cn is not None and type(upload_cn) is not bool:
        check_type("upload_cn", upload_cn, (bool,))
    enable_fallback = fallback_model = None
    if type(fallback) is str:
        enable_fallback, fallback_model = True, fallback
    elif fallback is not None:
        enable_fallback, fallback_model = _fallback_fields(fallback)
    # The fields in the order the library writes them (request_body then needs no parse).
    return (_write_4o or _writer())(prompt, None if files is None else _url_list("files", files), size, variants,
                                    mask, callback_url, enhance, upload_cn, enable_fallback, fallback_model, tag)


_write_4o: Any = None


def _keyed(key: Any, body: Dict[str, Any]) -> Dict[str, Any]:
    """``body`` with its ``idempotencyKey`` (a str: the library checks the rest)."""
    check_type("idempotency_key", key, (str,))
    body["idempotencyKey"] = key
    return body


def _writer() -> Any:
    """The 4o body writer of _body_order (made on first use), kept here for the next calls."""
    global _write_4o
    _write_4o = _body_order.writer()
    return _write_4o


def _fallback_fields(fallback: Any) -> Any:
    """(enableFallback, fallbackModel) for ``fallback``: a bool, a model name, or None."""
    if fallback is None or isinstance(fallback, bool):
        return fallback, None
    check_type("fallback", fallback, (bool, str))
    return True, fallback if type(fallback) is str else str(enum_value(fallback))


def _market_request(model: Any, prompt: Any, callback_url: Any, tag: Optional[str], four_o: Tuple[Any, ...],
                    fields: Dict[str, Any]) -> Dict[str, Any]:
    check_type("model", model, (str,))
    check_type("prompt", prompt, (str,))
    check_type("callback_url", callback_url, (str,))
    body: Dict[str, Any] = {"model": model, "input": fields}
    if callback_url is not None:
        body["callBackUrl"] = callback_url
    if tag is not None:
        body["tag"] = tag
    files, size, variants, mask, enhance, upload_cn, fallback = four_o
    stray = (_write_4o or _writer())(None, files, size, variants, mask, None, enhance, upload_cn,
                                     *_fallback_fields(fallback), None)
    if stray:  # 4o arguments, where a 4o body holds them: the library says why not
        _refuse({**body, **stray}, [_ARGUMENT_OF_FIELD.get(f, f) for f in stray])
    return body


def _market_input(prompt: Any, aspect_ratio: Any, resolution: Any, quality: Any, background: Any, images: Any,
                  input: Dict[str, Any]) -> Dict[str, Any]:
    fields: Dict[str, Any] = {}
    for name, value in (("prompt", prompt), ("aspect_ratio", aspect_ratio), ("resolution", resolution),
                        ("quality", quality), ("background", background)):
        if value is not None:
            fields[name] = enum_value(value)
    if images is not None:
        fields["input_urls"] = _url_list("images", images)
    fields.update(input)
    return fields


def _refuse_market_arguments(fields: Dict[str, Any]) -> None:
    """Market arguments without ``model``: under ``input``, as a Market body holds them, the
    library says why not."""
    _refuse({"input": fields}, ["images" if f == "input_urls" else f for f in fields])


def _refuse(body: Dict[str, Any], arguments: List[str]) -> None:
    """Asks the library about a request holding arguments of the other family; its validation
    error becomes the TypeError (nothing is raised if it accepts the request)."""
    try:
        _lib.request_build(_json.dumps(body).encode("utf-8"))
    except _errors.ValidationError as e:
        raise TypeError(f"{', '.join(arguments)}: {e.message}") from None


def _url_list(name: str, urls: Any) -> List[str]:
    if isinstance(urls, (str, bytes)) or not isinstance(urls, (list, tuple)):
        raise TypeError(f"{name} must be a list of image URLs, not {type_name(urls)}")
    for i, url in enumerate(urls):
        if not isinstance(url, str):
            raise TypeError(f"{name}[{i}] must be str, not {type_name(url)}")
    return [url if type(url) is str else str.__str__(url) for url in urls]


def request_body(prompt: Optional[str] = None, size: Union[str, Size, None] = None, **request: Any) -> Dict[str, Any]:
    """The exact JSON body the library would send for these arguments (kie_request_build):
    validated, normalized, nothing sent. Raises ValidationError like ``Client.generate``."""
    request_json = build_request(prompt, size, **_local_inputs.paths_only(request))
    try:
        sent = _json.dumps(request_json, ascii_only=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escaped, as Client.generate sends it
        sent = _json.dumps(request_json).encode("ascii")
    try:
        body = _lib.request_build(sent)
    except _errors.KieError as e:
        raise name_argument(e) from None
    if body == sent:
        # The library changed nothing (build_request writes 4o fields in the library's order, _body_order), so
        # the body is the request: returning it saves parsing what was just written (BENCHMARKS.md,
        # P4) when parsing would give the same values and types. A 4o dict is made fresh of plain
        # values by build_request; a Market input may hold the caller's own objects: a copy.
        if "model" not in request_json:
            return request_json
        same = _json.plain_copy(request_json)
        if same is not None:
            return same  # type: ignore[no-any-return]
    return _json.loads(body.decode("utf-8", "replace"))  # type: ignore[no-any-return]


def market_models() -> List[Dict[str, Any]]:
    """The Market models whose ``input`` the library validates (kie_models): id, name, kind,
    fields with their types and limits, rules and prices (docs/models.md)."""
    return list(_json.loads(_lib.models()).get("models", []))


def name_argument(error: _errors.KieError) -> _errors.KieError:
    if isinstance(error, _errors.ValidationError) and error.field:
        field = error.field
        if field.startswith("input."):
            name = field[len("input."):].split(".")[0].split("[")[0]
            error.argument = "images" if name == "input_urls" else name
        else:
            error.argument = _ARGUMENT_OF_FIELD.get(field, field if field in ("model", "tag") else None)
    return error
