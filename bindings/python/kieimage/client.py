"""The Pythonic client: keyword arguments in, dataclasses out, exceptions from statuses.

Every call goes straight to one C function of libkieimage; requests are validated by the library
(which names the field at fault), not here. Python only checks Python types.

Processes: the library runs its own threads, so a process that forks after creating a client
inherits a broken copy of them. Use ``multiprocessing`` with the "spawn" (or "forkserver") start
method, and create clients in the child processes.
"""

from __future__ import annotations

import math
import os
import sys

from . import _errors, _json, _lib

# Import time matters (a CLI run pays it every time): typing, logging and the models'
# dataclasses/datetime are loaded only by type checkers or on first use.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from pathlib import Path
    from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

    from ._aio import AsyncBridge
    from .models import (DownloadedFile, FallbackModel, JournalEntry, ProgressEvent, ResumeResult, Size, Task,
                         UploadedFile)

    ProgressCallback = Callable[[ProgressEvent], Any]
    PathLike = Union[str, "os.PathLike[str]"]
    TaskRef = Union[str, Task]

__all__ = ["Client", "build_request", "request_body", "market_models"]


def _models() -> "Any":
    from . import models
    return models

# Python keyword -> config key of kie_client_new, and the Python types it takes.
_OPTIONS: "Dict[str, Any]" = {
    "upload_base_url": ("uploadBaseUrl", (str,)),
    "request_timeout_ms": ("requestTimeoutMs", (int,)),
    "connect_timeout_ms": ("connectTimeoutMs", (int,)),
    "max_retries": ("maxRetries", (int,)),
    "retry_base_ms": ("retryBaseMs", (int,)),
    "retry_max_ms": ("retryMaxMs", (int,)),
    "poll": ("poll", (dict,)),
    "rate_limit": ("rateLimit", (dict,)),
    "user_agent": ("userAgent", (str,)),
    "webhook_key": ("webhookKey", (str,)),
    "journal_path": ("journalPath", (str, os.PathLike)),
    "log_level": ("logLevel", (str,)),
}

# Request field (API spelling, as the library names it in ValidationError.field) -> Python keyword.
_ARGUMENT_OF_FIELD = {
    "prompt": "prompt", "size": "size", "filesUrl": "files", "fileUrl": "files", "maskUrl": "mask",
    "nVariants": "variants", "callBackUrl": "callback_url", "isEnhance": "enhance", "uploadCn": "upload_cn",
    "enableFallback": "fallback", "fallbackModel": "fallback",
}


def _enum_value(value: Any) -> Any:
    """An Enum member's value, anything else as it is. No Enum can exist before the enum module is
    loaded, so this does not import it (start-up time, BENCHMARKS.md P6)."""
    enum = sys.modules.get("enum")
    return value.value if enum is not None and isinstance(value, enum.Enum) else value


def _type_name(value: Any) -> str:
    return type(value).__name__


def _check_type(name: str, value: Any, types: Tuple[type, ...], optional: bool = True) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) and bool not in types:
        raise TypeError(f"{name} must be {' or '.join(t.__name__ for t in types)}, not bool")
    if not isinstance(value, types):
        allowed = " or ".join(t.__name__ for t in types) + (" or None" if optional else "")
        raise TypeError(f"{name} must be {allowed}, not {_type_name(value)}")


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _nested(name: str, value: Mapping[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise TypeError(f"{name} keys must be str, not {_type_name(k)}")
        out[_camel(k)] = v
    return out


_FOUR_O_ONLY = ("size", "files", "mask", "variants", "enhance", "upload_cn", "fallback")


def build_request(prompt: Optional[str] = None, size: Union[str, Size, None] = None, *,
                  files: Optional[Sequence[str]] = None, mask: Optional[str] = None,
                  variants: Optional[int] = None, callback_url: Optional[str] = None,
                  enhance: Optional[bool] = None, upload_cn: Optional[bool] = None,
                  fallback: Union[bool, str, FallbackModel, None] = None, tag: Optional[str] = None,
                  model: Optional[str] = None, aspect_ratio: Optional[str] = None, resolution: Optional[str] = None,
                  quality: Optional[str] = None, background: Optional[str] = None,
                  images: Optional[Sequence[str]] = None, **input: Any) -> Dict[str, Any]:
    """The generate request JSON object (API field names) for these keyword arguments.

    Without ``model``: a 4o (GPT Image 1) request. With ``model`` (a Market model id, e.g.
    ``"gpt-image-2-text-to-image"``; see docs/models.md): ``{"model", "input", "callBackUrl"}``
    with ``prompt``, ``aspect_ratio``, ``resolution``, ``quality``, ``background``,
    ``images`` (``input_urls``) and any other keyword in ``input`` as given. ``tag``: the
    caller's key for the work item (journal, events), never sent to kie.

    Only Python types are checked here; the library validates values (``size``, ``variants``,
    ``input.aspect_ratio``, URLs, ...) and raises ``ValidationError`` naming the field.
    """
    if tag is not None and type(tag) is not str:
        _check_type("tag", tag, (str,))
    if model is not None:
        _check_type("model", model, (str,))
        fouro = {"size": size, "files": files, "mask": mask, "variants": variants, "enhance": enhance,
                 "upload_cn": upload_cn, "fallback": fallback}
        for name in _FOUR_O_ONLY:
            if fouro[name] is not None:
                raise TypeError(f"{name} is a 4o (GPT Image 1) argument; a Market request (model=) takes "
                                f"aspect_ratio, resolution, quality, background, images or input keywords")
        _check_type("prompt", prompt, (str,))
        _check_type("callback_url", callback_url, (str,))
        body: Dict[str, Any] = {"model": model}
        fields: Dict[str, Any] = {}
        for name, value in (("prompt", prompt), ("aspect_ratio", aspect_ratio), ("resolution", resolution),
                            ("quality", quality), ("background", background)):
            if value is not None:
                fields[name] = _enum_value(value)
        if images is not None:
            fields["input_urls"] = _url_list("images", images)
        fields.update(input)
        body["input"] = fields
        if callback_url is not None:
            body["callBackUrl"] = callback_url
        if tag is not None:
            body["tag"] = tag
        return body
    if input or aspect_ratio is not None or resolution is not None or quality is not None or background is not None \
            or images is not None:
        market = {"aspect_ratio": aspect_ratio, "resolution": resolution, "quality": quality,
                  "background": background, "images": images}
        for name, value in list(market.items()) + list(input.items()):
            if value is not None:
                raise TypeError(f"{name} needs model= (a Market request); a 4o request takes size, files, mask, ...")
    # The common case (every argument None or of its type) costs one test each; _check_type words
    # the error otherwise. request_body runs this per call (BENCHMARKS.md, P4).
    # A subclass of str or int becomes the plain value json would write: the 4o dict holds only
    # str, int, bool and lists of str, all made here (request_body relies on it).
    if prompt is not None and type(prompt) is not str:
        _check_type("prompt", prompt, (str,))
        prompt = str.__str__(prompt)
    if size is not None and not isinstance(size, str):
        _check_type("size", size, (str,))
    if mask is not None and type(mask) is not str:
        _check_type("mask", mask, (str,))
        mask = str.__str__(mask)
    if variants is not None and type(variants) is not int:
        _check_type("variants", variants, (int,))
        variants = int.__int__(variants)
    if callback_url is not None and type(callback_url) is not str:
        _check_type("callback_url", callback_url, (str,))
        callback_url = str.__str__(callback_url)
    if enhance is not None and type(enhance) is not bool:
        _check_type("enhance", enhance, (bool,))
    if upload_cn is not None and type(upload_cn) is not bool:
        _check_type("upload_cn", upload_cn, (bool,))
    if fallback is not None and type(fallback) is not bool and not isinstance(fallback, str):
        _check_type("fallback", fallback, (bool, str))
    # In the order the library writes the body (request_body then needs no parse).
    request: Dict[str, Any] = {}
    if prompt is not None:
        request["prompt"] = prompt
    if files is not None:
        request["filesUrl"] = _url_list("files", files)
    if size is not None:
        request["size"] = size if type(size) is str else str(_enum_value(size))
    if variants is not None:
        request["nVariants"] = variants
    if mask is not None:
        request["maskUrl"] = mask
    if callback_url is not None:
        request["callBackUrl"] = callback_url
    if enhance is not None:
        request["isEnhance"] = enhance
    if upload_cn is not None:
        request["uploadCn"] = upload_cn
    if isinstance(fallback, bool):
        request["enableFallback"] = fallback
    elif fallback is not None:
        request["enableFallback"] = True
        request["fallbackModel"] = fallback if type(fallback) is str else str(_enum_value(fallback))
    if tag is not None:
        request["tag"] = tag
    return request


def _url_list(name: str, urls: Any) -> "List[str]":
    if isinstance(urls, (str, bytes)) or not isinstance(urls, (list, tuple)):
        raise TypeError(f"{name} must be a list of image URLs, not {_type_name(urls)}")
    for i, url in enumerate(urls):
        if not isinstance(url, str):
            raise TypeError(f"{name}[{i}] must be str, not {_type_name(url)}")
    return [url if type(url) is str else str.__str__(url) for url in urls]


def request_body(prompt: Optional[str] = None, size: Union[str, Size, None] = None, **request: Any) -> Dict[str, Any]:
    """The exact JSON body the library would send for these arguments (kie_request_build):
    validated, normalized, nothing sent. Raises ValidationError like ``Client.generate``."""
    request_json = build_request(prompt, size, **request)
    try:
        sent = _json.dumps(request_json, ascii_only=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: escaped, as Client.generate sends it
        sent = _json.dumps(request_json).encode("ascii")
    try:
        body = _lib.request_build(sent)
    except _errors.KieError as e:
        raise _name_argument(e) from None
    if body == sent:
        # The library changed nothing (build_request writes fields in the library's order), so
        # the body is the request: returning it saves parsing what was just written (BENCHMARKS.md,
        # P4) when parsing would give the same values and types. A 4o dict is made fresh of plain
        # values by build_request; a Market input may hold the caller's own objects: a copy.
        if "model" not in request_json:
            return request_json
        same = _json.plain_copy(request_json)
        if same is not None:
            return same  # type: ignore[no-any-return]
    return _json.loads(body.decode("utf-8", "replace"))  # type: ignore[no-any-return]


def market_models() -> "List[Dict[str, Any]]":
    """The Market models whose ``input`` the library validates (kie_models): id, name, kind,
    fields with their types and limits, rules and prices (docs/models.md)."""
    return list(_json.loads(_lib.models()).get("models", []))


def _name_argument(error: _errors.KieError) -> _errors.KieError:
    if isinstance(error, _errors.ValidationError) and error.field:
        field = error.field
        if field.startswith("input."):
            name = field[len("input."):].split(".")[0].split("[")[0]
            error.argument = "images" if name == "input_urls" else name
        else:
            error.argument = _ARGUMENT_OF_FIELD.get(field, field if field in ("model", "tag") else None)
    return error


def _task_id(task: TaskRef) -> str:
    if isinstance(task, str):
        return task
    if isinstance(task, _models().Task):
        return task.task_id
    raise TypeError(f"task must be a task id (str) or a Task, not {_type_name(task)}")


def _wait_json(timeout: Optional[float]) -> Optional[str]:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds or None, not {_type_name(timeout)}")
    if not math.isfinite(timeout):
        raise ValueError("timeout must be a finite number of seconds (or None for the client's default)")
    return _json.dumps({"deadlineMs": int(round(timeout * 1000))})


def _check_callable(name: str, value: Any) -> None:
    if value is not None and not callable(value):
        raise TypeError(f"{name} must be callable or None, not {_type_name(value)}")


def _progress_handler(on_progress: Optional[ProgressCallback]) -> Optional[Callable[[Dict[str, Any]], None]]:
    if on_progress is None:
        return None

    def handle(event: Dict[str, Any]) -> None:
        if event.get("event") == "progress":
            on_progress(_models().ProgressEvent.from_json(event))

    return handle


def _upload_options(upload_path: Optional[str], file_name: Optional[str]) -> Optional[str]:
    _check_type("upload_path", upload_path, (str,))
    _check_type("file_name", file_name, (str,))
    options: Dict[str, Any] = {}
    if upload_path is not None:
        options["uploadPath"] = upload_path
    if file_name is not None:
        options["fileName"] = file_name
    return _json.dumps(options) if options else None


def _resume_wait_json(timeout: Optional[float], download_dir: Optional[PathLike]) -> Optional[str]:
    wait: Dict[str, Any] = _json.loads(_wait_json(timeout) or "{}")
    if download_dir is not None:
        if not isinstance(download_dir, (str, os.PathLike)):
            raise TypeError(f"download_dir must be str or os.PathLike, not {_type_name(download_dir)}")
        wait["download"] = {"dir": os.fspath(download_dir)}
    return _json.dumps(wait) if wait else None


def _resume_result(answer: Dict[str, Any], outcomes: Dict[int, Any]) -> "ResumeResult":
    m = _models()
    resumed = []
    for r in answer.get("resumed", []):
        outcome = outcomes.get(int(r.get("op") or 0))
        task = m.Task.from_json(outcome["task"]) if isinstance(outcome, dict) and "task" in outcome else None
        error = outcome if isinstance(outcome, BaseException) else None
        saved = outcome.get("downloads") if isinstance(outcome, dict) else None
        files = saved.get("files") if isinstance(saved, dict) else None
        downloads = tuple(m.DownloadedFile.from_json(f) for f in files if isinstance(f, dict)) if isinstance(files, list) else ()
        resumed.append(m.ResumedWork(id=str(r.get("id") or ""), task_id=str(r.get("taskId") or ""),
                                     tag=r.get("tag") if isinstance(r.get("tag"), str) else None, task=task, error=error,
                                     downloads=downloads))
    unknown = [m.JournalEntry.from_json(dict(u, state="unknown")) for u in answer.get("unknown", []) if isinstance(u, dict)]
    return m.ResumeResult(resumed=tuple(resumed), unknown=tuple(unknown))


class Client:
    """A kie.ai client over libkieimage, for both request families: GPT Image 1 (kie's 4o API:
    ``prompt``, ``size``) and the Market models (``model=``, e.g. GPT Image 2). Thread-safe; use
    it as a context manager.

    ``api_key`` defaults to ``$KIE_API_KEY`` and ``base_url`` to ``$KIE_BASE_URL`` (else
    https://api.kie.ai). Other options, all optional, map 1:1 to the library's config keys:
    ``upload_base_url``, ``request_timeout_ms``, ``connect_timeout_ms``, ``max_retries``,
    ``retry_base_ms``, ``retry_max_ms``, ``poll`` (dict: ``initial_ms``, ``max_ms``,
    ``multiplier``, ``deadline_ms``), ``rate_limit`` (dict: ``requests``, ``per_ms``),
    ``user_agent``, ``webhook_key``, ``journal_path``, ``log_level`` ("trace" .. "critical").
    ``logger``: a ``logging.Logger`` (or True for ``logging.getLogger("kieimage")``) that receives
    the library's log lines, from library threads too; off by default.

    The key is handed to the library only; it is never part of repr(), messages or exceptions.
    Use multiprocessing with the "spawn" start method, not fork (see the module docstring).
    """

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None, *,
                 logger: Union[bool, "logging.Logger", None] = None, **options: Any) -> None:
        self._handle: Optional[_lib._Handle] = None
        self._aio: Any = None
        _check_type("api_key", api_key, (str,))
        _check_type("base_url", base_url, (str,))
        config: Dict[str, Any] = {}
        api_key = api_key if api_key is not None else os.environ.get("KIE_API_KEY")
        base_url = base_url if base_url is not None else os.environ.get("KIE_BASE_URL")
        if api_key is not None:
            config["apiKey"] = api_key
        if base_url is not None:
            config["baseUrl"] = base_url
        for name, value in options.items():
            if name not in _OPTIONS:
                raise TypeError(f"Client() got an unexpected keyword argument {name!r}")
            key, types = _OPTIONS[name]
            _check_type(name, value, types)
            if value is None:
                continue
            if isinstance(value, dict):
                value = _nested(name, value)
            elif isinstance(value, os.PathLike):
                value = os.fspath(value)
            config[key] = value
        # Queue delivery: async callbacks run only inside kie_client_dispatch, on the thread that
        # reads the client's fd (the asyncio loop), so no library thread ever enters Python.
        config["delivery"] = "queue"
        self._base_url = base_url
        if logger is True:
            import logging
            logger = logging.getLogger("kieimage")
        # A Logger instance means logging is loaded already; nothing imports it otherwise.
        logging_module = sys.modules.get("logging")
        if logger is None or logger is False:
            logger = None
        elif logging_module is None or not isinstance(logger, logging_module.Logger):
            raise TypeError(f"logger must be a logging.Logger, True or None, not {_type_name(logger)}")
        self._handle = _lib.client_new(_json.dumps(config))
        if logger is not None:
            try:
                _lib.client_set_logger(self._handle, logger)
            except BaseException:
                self._handle.close()
                raise

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        """Frees the client; in-flight async operations end with CancelledError. Idempotent."""
        handle = self._handle
        if handle is None:
            return
        aio = self._aio
        if aio is not None:
            aio.cancel_all()
            aio.detach()
        handle.close()
        if aio is not None:
            aio.fail_pending()

    @property
    def closed(self) -> bool:
        return self._handle is None or self._handle.closed

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    async def __aenter__(self) -> "Client":
        return self

    async def __aexit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # noqa: BLE001 - never raise from a finalizer
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<kieimage.Client base_url={self._base_url or 'default'!r} {state}>"

    @property
    def _h(self) -> "_lib._Handle":
        if self._handle is None:
            raise ValueError("operation on a closed kieimage.Client")
        return self._handle

    # -- blocking calls (run on the caller's thread) ---------------------------------------

    def generate(self, prompt: Optional[str] = None, size: Union[str, Size, None] = None, *,
                 files: Optional[Sequence[str]] = None, mask: Optional[str] = None,
                 variants: Optional[int] = None, callback_url: Optional[str] = None,
                 enhance: Optional[bool] = None, upload_cn: Optional[bool] = None,
                 fallback: Union[bool, str, FallbackModel, None] = None, **request: Any) -> Task:
        """Submits a generate request; returns the Task with its ``task_id`` (``status`` None).

        ``model=`` (and ``aspect_ratio``, ``resolution``, ``quality``, ``background``,
        ``images``, other ``input`` keywords) makes it a Market request; ``tag=`` names the work
        item (see ``build_request``).

        Raises ValidationError (``.field`` in API spelling, ``.argument`` the keyword) before
        anything is sent; UnknownOutcomeError when the request may have been accepted without an
        answer (never resent). Ctrl-C raises KeyboardInterrupt at once (the submission may or
        may not have reached kie.ai then: check the journal or the task list).
        """
        body = build_request(prompt, size, files=files, mask=mask, variants=variants, callback_url=callback_url,
                             enhance=enhance, upload_cn=upload_cn, fallback=fallback, **request)
        try:
            answer = _lib.generate(self._h, _json.dumps(body))
        except _errors.KieError as e:
            raise _name_argument(e) from None
        return _models().Task.submitted(answer)

    def task(self, task_id: TaskRef) -> Task:
        """One record-info call. A failed task is returned, not raised: read ``status``."""
        return _models().Task.from_json(_json.loads(_lib.task_get(self._h, _task_id(task_id))))

    def wait(self, task_id: TaskRef, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None) -> Task:
        """Polls until the task ends; ``on_progress(ProgressEvent)`` runs on this thread.

        Raises TaskFailedError if the task failed, TimeoutError after ``timeout`` seconds (None:
        the client's ``poll.deadline_ms``). An exception raised by ``on_progress``, or Ctrl-C
        (KeyboardInterrupt), ends the wait at once: the polling stops and the exception
        propagates.
        """
        _check_callable("on_progress", on_progress)
        answer = _lib.task_wait(self._h, _task_id(task_id), _wait_json(timeout), _progress_handler(on_progress))
        return _models().Task.from_json(answer)

    def run(self, prompt: Optional[str] = None, size: Union[str, Size, None] = None, *,
            on_progress: Optional[ProgressCallback] = None, timeout: Optional[float] = None, **request: Any) -> Task:
        """``generate`` then ``wait``: returns the finished Task with ``result_urls``. One
        library operation; ``on_progress`` and Ctrl-C behave as in ``wait``."""
        _check_callable("on_progress", on_progress)
        wait_json = _wait_json(timeout)
        body = build_request(prompt, size, **request)
        try:
            answer = _lib.run(self._h, _json.dumps(body), wait_json, _progress_handler(on_progress))
        except _errors.KieError as e:
            raise _name_argument(e) from None
        return _models().Task.from_json(answer)

    def download(self, task: TaskRef, directory: PathLike = ".") -> List[Path]:
        """Saves every result of a successful task into ``directory`` (created if missing);
        returns the paths, in the order of ``result_urls``. Only the task id (and family) goes to
        the library, which saves the results of the task as the client last read it, or reads it."""
        return [f.path for f in self.download_files(task, directory)]

    def download_files(self, task: TaskRef, directory: PathLike = ".") -> List[DownloadedFile]:
        """Like ``download`` but returns url, path, size and content type of each file."""
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory must be str or os.PathLike, not {_type_name(directory)}")
        family = task.family if isinstance(task, _models().Task) else None
        ref = {"taskId": _task_id(task), **({"family": family} if family else {})}
        answer = _lib.download(self._h, _json.dumps(ref), os.fspath(directory))
        return [_models().DownloadedFile.from_json(f) for f in answer.get("files", [])]

    def download_url(self, task_id: TaskRef, url: str) -> str:
        """A fresh direct-download link (valid ~20 minutes) for one result URL of a task."""
        _check_type("url", url, (str,), optional=False)
        return _lib.download_url(self._h, _task_id(task_id), url)

    def credits(self) -> float:
        """The account's remaining credits."""
        return _lib.credits(self._h)

    def upload(self, path: PathLike, *, upload_path: Optional[str] = None, file_name: Optional[str] = None) -> UploadedFile:
        """Uploads a local file to kie.ai's upload host; ``.url`` can go into ``files``/``mask``."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be str or os.PathLike, not {_type_name(path)}")
        answer = _lib.upload_file(self._h, os.fspath(path), _upload_options(upload_path, file_name))
        return _models().UploadedFile.from_json(answer)

    def upload_url(self, url: str, *, upload_path: Optional[str] = None, file_name: Optional[str] = None) -> UploadedFile:
        """Has kie.ai's upload host fetch a public http(s) URL and keep a copy (free, kept 24 h
        to 3 days); ``.url`` can go into ``files``/``mask``. ValidationError when the host
        refuses it (e.g. it cannot fetch the URL), InvalidArgumentError for a non-http(s) URL."""
        _check_type("url", url, (str,), optional=False)
        answer = _lib.upload_url(self._h, url, _upload_options(upload_path, file_name))
        return _models().UploadedFile.from_json(answer)

    # -- journal (journal_path): crash-safe submission and resume --------------------------

    def journal(self) -> "List[JournalEntry]":
        """Every work item of the journal, latest state of each, oldest first. InvalidArgumentError
        when the client has no ``journal_path``."""
        answer = _lib.journal_list(self._h)
        return [_models().JournalEntry.from_json(e) for e in answer.get("entries", []) if isinstance(e, dict)]

    def resolve(self, entry_id: str, task_id: Optional[str]) -> None:
        """Settles an "unknown" journal entry: ``task_id`` (found in kie's logs) makes it
        "submitted", so the next ``resume()`` waits for it; None marks it "abandoned", so the
        work may be submitted again. Durable when it returns."""
        _check_type("entry_id", entry_id, (str,), optional=False)
        _check_type("task_id", task_id, (str,))
        _lib.journal_resolve(self._h, entry_id, task_id)

    def resume(self, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None,
               download_dir: Optional[PathLike] = None) -> "ResumeResult":
        """Waits, on this thread, for every journal entry that was submitted but not finished
        (and, with ``download_dir``, downloads them and those succeeded but not yet downloaded).
        Returns each one's Task or error, and the "unknown" entries, which are never resubmitted
        by the library (see ``resolve``). Ctrl-C cancels the waits and propagates."""
        _check_callable("on_progress", on_progress)
        wait_json = _resume_wait_json(timeout, download_dir)
        answer, outcomes = _lib.resume(self._h, wait_json, _progress_handler(on_progress))
        return _resume_result(answer, outcomes)

    async def resume_async(self, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None,
                           download_dir: Optional[PathLike] = None) -> "ResumeResult":
        """``resume`` for asyncio; cancelling the awaiting task cancels every wait."""
        _check_callable("on_progress", on_progress)
        wait_json = _resume_wait_json(timeout, download_dir)
        answer, outcomes = await self._async().resume(wait_json, on_progress)
        return _resume_result(answer, outcomes)

    # -- asyncio (queue delivery + loop.add_reader; no thread per call) ---------------------

    def _async(self) -> Any:
        if self._aio is None:
            from ._aio import AsyncBridge
            self._aio = AsyncBridge(self._h)
        return self._aio

    async def run_async(self, prompt: Optional[str] = None, size: Union[str, Size, None] = None, *,
                        on_progress: Optional[ProgressCallback] = None, timeout: Optional[float] = None,
                        **request: Any) -> Task:
        """Generates and waits without blocking the event loop; cancelling the awaiting task
        cancels the operation. ``on_progress`` runs on the event loop's thread."""
        _check_callable("on_progress", on_progress)
        body = build_request(prompt, size, **request)
        try:
            event = await self._async().generate(_json.dumps(body), _wait_json(timeout), on_progress, wait=True)
        except _errors.KieError as e:
            raise _name_argument(e) from None
        return _models().Task.from_json(event["task"])

    async def generate_async(self, prompt: Optional[str] = None, size: Union[str, Size, None] = None,
                             **request: Any) -> Task:
        """Submits without blocking the event loop; returns once the task id is known."""
        body = build_request(prompt, size, **request)
        try:
            event = await self._async().generate(_json.dumps(body), None, None, wait=False)
        except _errors.KieError as e:
            raise _name_argument(e) from None
        return _models().Task.submitted(event)

    async def wait_async(self, task_id: TaskRef, timeout: Optional[float] = None,
                         on_progress: Optional[ProgressCallback] = None) -> Task:
        """``wait`` for asyncio; cancelling the awaiting task cancels the polling."""
        _check_callable("on_progress", on_progress)
        event = await self._async().wait(_task_id(task_id), _wait_json(timeout), on_progress)
        return _models().Task.from_json(event["task"])
