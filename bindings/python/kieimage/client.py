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

from . import _errors, _journal, _json, _lib
from ._checks import check_callable, check_type, type_name
from ._config import config_json
from ._local_inputs import LocalInputs
from ._request import build_request, market_models, name_argument, request_body

# Import time matters (a CLI run pays it every time): typing, logging and the models'
# dataclasses/datetime are loaded only by type checkers or on first use.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from pathlib import Path
    from typing import IO, Any, Callable, Dict, List, Optional, Sequence, Union

    from ._aio import AsyncBridge
    from .models import (DownloadedFile, FallbackModel, JournalEntry, ProgressEvent, ResumeResult, Size, Task,
                         UploadedFile)

    ProgressCallback = Callable[[ProgressEvent], Any]
    PathLike = Union[str, "os.PathLike[str]"]
    TaskRef = Union[str, Task]
    # An image input: a URL, a file: URL, an absolute path, a Path, bytes or a binary file object.
    ImageInput = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview, IO[bytes]]

__all__ = ["Client", "build_request", "request_body", "market_models"]


def _models() -> "Any":
    from . import models
    return models

def _task_id(task: TaskRef) -> str:
    if isinstance(task, str):
        return task
    if isinstance(task, _models().Task):
        return task.task_id
    raise TypeError(f"task must be a task id (str) or a Task, not {type_name(task)}")


def _wait_json(timeout: Optional[float]) -> Optional[str]:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise TypeError(f"timeout must be a number of seconds or None, not {type_name(timeout)}")
    if not math.isfinite(timeout):
        raise ValueError("timeout must be a finite number of seconds (or None for the client's default)")
    return _json.dumps({"deadlineMs": int(round(timeout * 1000))})


def _progress_handler(on_progress: Optional[ProgressCallback], submitted: Optional[Dict[str, Any]] = None
                      ) -> Optional[Callable[[Dict[str, Any]], None]]:
    """The event handler of a blocking call: progress events to ``on_progress``; the "submitted"
    event (with the submission's warnings) kept in ``submitted`` when given."""
    if on_progress is None and submitted is None:
        return None

    def handle(event: Dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "progress" and on_progress is not None:
            on_progress(_models().ProgressEvent.from_json(event))
        elif kind == "submitted" and submitted is not None:
            submitted.update(event)

    return handle


def _with_submission(task: Dict[str, Any], submitted: Dict[str, Any]) -> Dict[str, Any]:
    """A finished task's JSON with the warnings its submission had (as ``generate``'s Task has them)."""
    warnings = submitted.get("warnings")
    return dict(task, warnings=warnings) if warnings and not task.get("warnings") else task


def _upload_options(upload_path: Optional[str], file_name: Optional[str]) -> Optional[str]:
    check_type("upload_path", upload_path, (str,))
    check_type("file_name", file_name, (str,))
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
            raise TypeError(f"download_dir must be str or os.PathLike, not {type_name(download_dir)}")
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

    ``api_key`` and ``base_url`` left None take the library's defaults (``$KIE_API_KEY``;
    ``$KIE_BASE_URL``, else kie.ai's API host: docs/c-api.md, section 2), and so does every
    option not given. Options map 1:1 to the library's config keys:
    ``upload_base_url``, ``request_timeout_ms``, ``connect_timeout_ms``, ``max_retries``,
    ``retry_base_ms``, ``retry_max_ms``, ``poll`` (dict: ``initial_ms``, ``max_ms``,
    ``multiplier``, ``deadline_ms``), ``rate_limit`` (dict: ``requests``, ``per_ms``),
    ``user_agent``, ``webhook_key``, ``journal_path``, ``callbacks``, ``log_level`` ("trace" .. "critical"),
    ``max_credits`` (BudgetError past it), ``budget_since`` (ISO date), ``proxy`` ("http://host:port").
    ``logger``: a ``logging.Logger`` (or True for ``logging.getLogger("kieimage")``) that receives
    the library's log lines, from library threads too; off by default.

    The key is handed to the library only; it is never part of repr(), messages or exceptions.
    Use multiprocessing with the "spawn" start method, not fork (see the module docstring).
    """

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None, *,
                 logger: Union[bool, "logging.Logger", None] = None, **options: Any) -> None:
        self._handle: Optional[_lib.Handle] = None
        self._aio: Any = None
        config = config_json(api_key, base_url, options)
        self._base_url = base_url
        if logger is True:
            import logging
            logger = logging.getLogger("kieimage")
        # A Logger instance means logging is loaded already; nothing imports it otherwise.
        logging_module = sys.modules.get("logging")
        if logger is None or logger is False:
            logger = None
        elif logging_module is None or not isinstance(logger, logging_module.Logger):
            raise TypeError(f"logger must be a logging.Logger, True or None, not {type_name(logger)}")
        self._handle = _lib.client_new(config)
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
    def _h(self) -> "_lib.Handle":
        if self._handle is None:
            raise ValueError("operation on a closed kieimage.Client")
        return self._handle

    # -- blocking calls (run on the caller's thread) ---------------------------------------

    def generate(self, prompt: Optional[str] = None, size: Union[str, Size, None] = None, *,
                 files: Optional[Sequence[ImageInput]] = None, mask: Optional[ImageInput] = None,
                 variants: Optional[int] = None, callback_url: Optional[str] = None,
                 enhance: Optional[bool] = None, upload_cn: Optional[bool] = None,
                 fallback: Union[bool, str, FallbackModel, None] = None, **request: Any) -> Task:
        """Submits a generate request; returns the Task with its ``task_id`` (``status`` None).

        ``model=`` (and ``aspect_ratio``, ``resolution``, ``quality``, ``background``,
        ``images``, other ``input`` keywords) makes it a Market request; ``tag=`` names the work
        item (see ``build_request``). Image inputs (``files``, ``mask``, ``images``, ``*_url(s)``)
        may be URLs, ``file:`` URLs, absolute paths, ``pathlib.Path``, ``bytes`` or binary file
        objects: the library uploads local content once per digest (docs/python.md).

        Raises ValidationError (``.field`` in API spelling, ``.argument`` the keyword) before
        anything is sent; BudgetError past ``max_credits``; FileIOError for a missing local
        file; UnknownOutcomeError when the request may have been accepted without an
        answer (never resent). Ctrl-C raises KeyboardInterrupt at once (the submission may or
        may not have reached kie.ai then: check the journal or the task list).
        """
        with LocalInputs(dict(request, files=files, mask=mask)) as request:
            body = build_request(prompt, size, variants=variants, callback_url=callback_url, enhance=enhance,
                                 upload_cn=upload_cn, fallback=fallback, **request)
            try:
                answer = _lib.generate(self._h, _json.dumps(body))
            except _errors.KieError as e:
                raise name_argument(e) from None
        return _models().Task.submitted(answer)

    def task(self, task_id: TaskRef) -> Task:
        """One record-info call. A failed task is returned, not raised: read ``status``."""
        return _models().Task.from_json(_json.loads(_lib.task_get(self._h, _task_id(task_id))))

    def deliver_webhook(self, headers: Any, body: Union[bytes, str]) -> Dict[str, Any]:
        """Hands a callback request to the library (kie_webhook_deliver, docs/webhooks.md): verifies
        it, confirms the task by one read, records it once and ends every wait on the task. Returns
        the event dict (``task``: the confirmed task; ``duplicate``; ``receiverAnswer``/``receiverBody``:
        the HTTP answer to give kie); raises SignatureError, NotFoundError, UnavailableError (task
        still running), each with its own receiverAnswer/receiverBody in ``detail``."""
        from .webhooks import deliver_args
        headers_json, raw = deliver_args(headers, body)
        return _json.loads(_lib.webhook_deliver(self._h, headers_json, raw))

    def wait(self, task_id: TaskRef, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None) -> Task:
        """Polls until the task ends; ``on_progress(ProgressEvent)`` runs on this thread.

        Raises TaskFailedError if the task failed, TimeoutError after ``timeout`` seconds (None:
        the client's ``poll.deadline_ms``). An exception raised by ``on_progress``, or Ctrl-C
        (KeyboardInterrupt), ends the wait at once: the polling stops and the exception
        propagates.
        """
        check_callable("on_progress", on_progress)
        answer = _lib.task_wait(self._h, _task_id(task_id), _wait_json(timeout), _progress_handler(on_progress))
        return _models().Task.from_json(answer)

    def run(self, prompt: Optional[str] = None, size: Union[str, Size, None] = None, *,
            on_progress: Optional[ProgressCallback] = None, timeout: Optional[float] = None, **request: Any) -> Task:
        """``generate`` then ``wait``: returns the finished Task with ``result_urls`` (and the
        submission's ``warnings``). One library operation; ``on_progress`` and Ctrl-C behave as in
        ``wait``."""
        check_callable("on_progress", on_progress)
        wait_json = _wait_json(timeout)
        submitted: Dict[str, Any] = {}
        with LocalInputs(request) as request:
            body = build_request(prompt, size, **request)
            try:
                answer = _lib.run(self._h, _json.dumps(body), wait_json, _progress_handler(on_progress, submitted))
            except _errors.KieError as e:
                raise name_argument(e) from None
        return _models().Task.from_json(_with_submission(answer, submitted))

    def download(self, task: TaskRef, directory: PathLike = ".") -> List[Path]:
        """Saves every result of a successful task into ``directory`` (created if missing);
        returns the paths, in the order of ``result_urls``. Only the task id (and family) goes to
        the library, which saves the results of the task as the client last read it, or reads it."""
        return [f.path for f in self.download_files(task, directory)]

    def download_files(self, task: TaskRef, directory: PathLike = ".") -> List[DownloadedFile]:
        """Like ``download`` but returns url, path, size and content type of each file."""
        if not isinstance(directory, (str, os.PathLike)):
            raise TypeError(f"directory must be str or os.PathLike, not {type_name(directory)}")
        family = task.family if isinstance(task, _models().Task) else None
        ref = {"taskId": _task_id(task), **({"family": family} if family else {})}
        answer = _lib.download(self._h, _json.dumps(ref), os.fspath(directory))
        return [_models().DownloadedFile.from_json(f) for f in answer.get("files", [])]

    def download_url(self, task_id: TaskRef, url: str) -> str:
        """A fresh direct-download link (valid ~20 minutes) for one result URL of a task."""
        check_type("url", url, (str,), optional=False)
        return _lib.download_url(self._h, _task_id(task_id), url)

    def credits(self) -> float:
        """The account's remaining credits."""
        return _lib.credits(self._h)

    def upload(self, path: PathLike, *, upload_path: Optional[str] = None, file_name: Optional[str] = None) -> UploadedFile:
        """Uploads a local file to kie.ai's upload host; ``.url`` can go into ``files``/``mask``."""
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be str or os.PathLike, not {type_name(path)}")
        answer = _lib.upload_file(self._h, os.fspath(path), _upload_options(upload_path, file_name))
        return _models().UploadedFile.from_json(answer)

    def upload_url(self, url: str, *, upload_path: Optional[str] = None, file_name: Optional[str] = None) -> UploadedFile:
        """Has kie.ai's upload host fetch a public http(s) URL and keep a copy (free, kept 24 h
        to 3 days); ``.url`` can go into ``files``/``mask``. ValidationError when the host
        refuses it (e.g. it cannot fetch the URL), InvalidArgumentError for a non-http(s) URL."""
        check_type("url", url, (str,), optional=False)
        answer = _lib.upload_url(self._h, url, _upload_options(upload_path, file_name))
        return _models().UploadedFile.from_json(answer)

    # -- journal (journal_path): crash-safe submission and resume --------------------------

    def journal(self) -> "List[JournalEntry]":
        """Every work item of the journal, latest state of each, oldest first. InvalidArgumentError
        when the client has no ``journal_path``."""
        answer = _journal.journal_list(self._h)
        return [_models().JournalEntry.from_json(e) for e in answer.get("entries", []) if isinstance(e, dict)]

    def resolve(self, entry_id: str, task_id: Optional[str]) -> None:
        """Settles an "unknown" journal entry: ``task_id`` (found in kie's logs) makes it
        "submitted", so the next ``resume()`` waits for it; None marks it "abandoned", so the
        work may be submitted again. Durable when it returns."""
        check_type("entry_id", entry_id, (str,), optional=False)
        check_type("task_id", task_id, (str,))
        _journal.journal_resolve(self._h, entry_id, task_id)

    def resume(self, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None,
               download_dir: Optional[PathLike] = None) -> "ResumeResult":
        """Waits, on this thread, for every journal entry that was submitted but not finished
        (and, with ``download_dir``, downloads them and those succeeded but not yet downloaded).
        Returns each one's Task or error, and the "unknown" entries, which are never resubmitted
        by the library (see ``resolve``). Ctrl-C cancels the waits and propagates."""
        check_callable("on_progress", on_progress)
        wait_json = _resume_wait_json(timeout, download_dir)
        answer, outcomes = _journal.resume(self._h, wait_json, _progress_handler(on_progress))
        return _resume_result(answer, outcomes)

    async def resume_async(self, timeout: Optional[float] = None, on_progress: Optional[ProgressCallback] = None,
                           download_dir: Optional[PathLike] = None) -> "ResumeResult":
        """``resume`` for asyncio; cancelling the awaiting task cancels every wait."""
        check_callable("on_progress", on_progress)
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
        check_callable("on_progress", on_progress)
        with LocalInputs(request) as request:
            body = build_request(prompt, size, **request)
            try:
                event = await self._async().generate(_json.dumps(body), _wait_json(timeout), on_progress, wait=True)
            except _errors.KieError as e:
                raise name_argument(e) from None
        return _models().Task.from_json(_with_submission(event["task"], event.get("submitted") or {}))

    async def generate_async(self, prompt: Optional[str] = None, size: Union[str, Size, None] = None,
                             **request: Any) -> Task:
        """Submits without blocking the event loop; returns once the task id is known."""
        with LocalInputs(request) as request:
            body = build_request(prompt, size, **request)
            try:
                event = await self._async().generate(_json.dumps(body), None, None, wait=False)
            except _errors.KieError as e:
                raise name_argument(e) from None
        return _models().Task.submitted(event)

    async def wait_async(self, task_id: TaskRef, timeout: Optional[float] = None,
                         on_progress: Optional[ProgressCallback] = None) -> Task:
        """``wait`` for asyncio; cancelling the awaiting task cancels the polling."""
        check_callable("on_progress", on_progress)
        event = await self._async().wait(_task_id(task_id), _wait_json(timeout), on_progress)
        return _models().Task.from_json(event["task"])
