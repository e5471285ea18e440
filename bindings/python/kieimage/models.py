"""Typed values built from the library's JSON: tasks, progress events, files, webhook events.

Field names are the API's (``taskId`` -> ``task_id``, ``resultUrls`` -> ``result_urls``); times
are timezone-aware UTC datetimes; the library's JSON is kept under ``raw``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

__all__ = ["TaskStatus", "Size", "FallbackModel", "Task", "ProgressEvent", "DownloadedFile", "UploadedFile",
           "WebhookEvent", "JournalEntry", "ResumedWork", "ResumeResult"]


class TaskStatus(str, enum.Enum):
    """``status`` of a task (record-info's successFlag, normalized by the library)."""
    GENERATING = "GENERATING"
    SUCCESS = "SUCCESS"
    CREATE_TASK_FAILED = "CREATE_TASK_FAILED"
    GENERATE_FAILED = "GENERATE_FAILED"

    @property
    def finished(self) -> bool:
        return self is not TaskStatus.GENERATING

    @property
    def failed(self) -> bool:
        return self in (TaskStatus.CREATE_TASK_FAILED, TaskStatus.GENERATE_FAILED)

    def __str__(self) -> str:
        return self.value


class Size(str, enum.Enum):
    """Aspect ratios the API accepts for ``size`` (plain strings work as well)."""
    SQUARE = "1:1"
    LANDSCAPE = "3:2"
    PORTRAIT = "2:3"

    def __str__(self) -> str:
        return self.value


class FallbackModel(str, enum.Enum):
    """Models for ``fallback`` (plain strings work as well)."""
    GPT_IMAGE_1 = "GPT_IMAGE_1"
    FLUX_MAX = "FLUX_MAX"

    def __str__(self) -> str:
        return self.value


def _time(ms: Any) -> Optional[datetime]:
    if isinstance(ms, bool) or not isinstance(ms, (int, float)):
        return None
    return datetime.fromtimestamp(ms / 1000.0, tz=timezone.utc)


def _ms(value: Optional[datetime]) -> Optional[int]:
    return None if value is None else int(round(value.timestamp() * 1000))


def _str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) else None


def _number(value: Any) -> Optional[float]:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _status(value: Any) -> Optional[TaskStatus]:
    try:
        return TaskStatus(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Task:
    """One task, as ``kie_task_get``/``kie_task_wait`` describe it.

    ``status`` is None only for a task that was just submitted by ``generate`` and not yet read.
    """
    task_id: str
    status: Optional[TaskStatus] = None
    progress: float = 0.0
    result_urls: Tuple[str, ...] = ()
    success_flag: Optional[int] = None
    error_code: Any = None
    error_message: Optional[str] = None
    create_time: Optional[datetime] = None
    complete_time: Optional[datetime] = None
    request: Optional[Dict[str, Any]] = field(default=None, repr=False, compare=False)
    warnings: Tuple[str, ...] = ()
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    family: Optional[str] = None
    """"4o" or "market" (contract v1.1); None from an older library."""
    model: Optional[str] = None
    state: Optional[str] = None
    """Market's own state word ("waiting", "generating", "success", "fail"...), else None."""
    credits_consumed: Optional[float] = None
    fail_code: Optional[str] = None
    tag: Optional[str] = None
    """The caller's key for the work item (request ``tag``), kept in the journal and events."""

    @property
    def done(self) -> bool:
        return self.status is not None and self.status.finished

    @property
    def succeeded(self) -> bool:
        return self.status is TaskStatus.SUCCESS

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "Task":
        """From the library's normalized task JSON."""
        progress = o.get("progress")
        request = o.get("request")
        raw = o.get("raw")
        return cls(
            task_id=str(o.get("taskId") or ""),
            status=_status(o.get("status")),
            progress=float(progress) if isinstance(progress, (int, float)) and not isinstance(progress, bool) else 0.0,
            result_urls=tuple(u for u in (o.get("resultUrls") or ()) if isinstance(u, str)),
            success_flag=o.get("successFlag"),
            error_code=o.get("errorCode"),
            error_message=o.get("errorMessage"),
            create_time=_time(o.get("createTime")),
            complete_time=_time(o.get("completeTime")),
            request=request if isinstance(request, dict) else None,
            warnings=tuple(str(w) for w in (o.get("warnings") or ())),
            raw=raw if isinstance(raw, dict) else {},
            family=_str(o.get("family")), model=_str(o.get("model")), state=_str(o.get("state")),
            credits_consumed=_number(o.get("creditsConsumed")), fail_code=_str(o.get("failCode")),
            tag=_str(o.get("tag")),
        )

    @classmethod
    def submitted(cls, o: Mapping[str, Any]) -> "Task":
        """From kie_generate's answer ``{"taskId", "family"?, "tag"?, "warnings"?}``."""
        return cls(task_id=str(o.get("taskId") or ""), warnings=tuple(str(w) for w in (o.get("warnings") or ())),
                   family=_str(o.get("family")), tag=_str(o.get("tag")))

    def to_json(self) -> Dict[str, Any]:
        """The task in the library's task JSON shape (``raw`` included when kept), for output: the
        library never takes a task back (``download`` passes only the task id and family)."""
        o: Dict[str, Any] = {
            "taskId": self.task_id,
            "status": self.status.value if self.status else None,
            "successFlag": self.success_flag,
            "progress": self.progress,
            "resultUrls": list(self.result_urls),
            "errorCode": self.error_code,
            "errorMessage": self.error_message,
            "createTime": _ms(self.create_time),
            "completeTime": _ms(self.complete_time),
            "request": self.request,
        }
        for key, value in (("family", self.family), ("model", self.model), ("state", self.state),
                           ("creditsConsumed", self.credits_consumed), ("failCode", self.fail_code), ("tag", self.tag)):
            if value is not None:
                o[key] = value
        if self.raw:
            o["raw"] = self.raw
        return o


@dataclass(frozen=True)
class ProgressEvent:
    """A progress event while a task generates: ``progress`` is 0.0 to 1.0."""
    task_id: str
    progress: float
    status: Optional[TaskStatus] = None

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "ProgressEvent":
        progress = o.get("progress")
        return cls(task_id=str(o.get("taskId") or ""),
                   progress=float(progress) if isinstance(progress, (int, float)) and not isinstance(progress, bool) else 0.0,
                   status=_status(o.get("status")))


@dataclass(frozen=True)
class DownloadedFile:
    """One result saved by ``Client.download``."""
    url: str
    path: Path
    bytes: int
    content_type: Optional[str] = None

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "DownloadedFile":
        return cls(url=str(o.get("url") or ""), path=Path(str(o.get("path") or "")),
                   bytes=int(o.get("bytes") or 0), content_type=o.get("contentType"))


@dataclass(frozen=True)
class UploadedFile:
    """A file stored on kie.ai's upload host (``Client.upload``); ``url`` is usable in ``files``."""
    url: str
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "UploadedFile":
        url = o.get("downloadUrl") or o.get("fileUrl") or o.get("url") or ""
        return cls(url=str(url), raw=dict(o))


@dataclass(frozen=True)
class WebhookEvent:
    """A callback kie.ai POSTed to ``callback_url``, parsed (and verified) by the library.

    The callback carries no status; ``succeeded`` follows its ``code`` (200). Confirm with
    ``Client.task(task_id)`` before acting on it when signatures are off.
    """
    task_id: str
    code: Optional[int]
    msg: Optional[str]
    succeeded: bool = False
    result_urls: Tuple[str, ...] = ()
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "WebhookEvent":
        code = o.get("code")
        urls: List[str] = [u for u in (o.get("resultUrls") or ()) if isinstance(u, str)]
        raw = o.get("raw")
        return cls(task_id=str(o.get("taskId") or ""),
                   code=code if isinstance(code, int) and not isinstance(code, bool) else None,
                   msg=o.get("msg") if isinstance(o.get("msg"), str) else None,
                   succeeded=o.get("success") is True if "success" in o else code == 200,
                   result_urls=tuple(urls), raw=raw if isinstance(raw, dict) else dict(o))


@dataclass(frozen=True)
class JournalEntry:
    """One work item of the client's journal (``Client.journal()``), in its latest state:
    "intent", "submitted", "rejected", "unknown", "abandoned", "succeeded", "failed" or
    "downloaded" (docs/journal.md). An "unknown" entry may or may not have created a charged
    task: settle it with ``Client.resolve(entry.id, task_id_or_None)``."""
    id: str
    state: str
    tag: Optional[str] = None
    family: Optional[str] = None
    task_id: Optional[str] = None
    time: Optional[datetime] = None
    request: Any = field(default=None, repr=False, compare=False)
    detail: Any = field(default=None, repr=False, compare=False)

    @classmethod
    def from_json(cls, o: Mapping[str, Any]) -> "JournalEntry":
        return cls(id=str(o.get("id") or ""), state=str(o.get("state") or ""), tag=_str(o.get("tag")),
                   family=_str(o.get("family")), task_id=_str(o.get("taskId")), time=_time(o.get("time")),
                   request=o.get("request"), detail=o.get("detail"))


@dataclass(frozen=True)
class ResumedWork:
    """A journal entry ``Client.resume()`` waited for: its finished ``task``, or the ``error``
    that ended the wait (TaskFailedError, TimeoutError, ...); with ``download_dir``, the files
    saved for it (``downloads``, in result order)."""
    id: str
    task_id: str
    tag: Optional[str] = None
    task: Optional[Task] = None
    error: Optional[BaseException] = field(default=None, compare=False)
    downloads: Tuple[DownloadedFile, ...] = ()


@dataclass(frozen=True)
class ResumeResult:
    """What ``Client.resume()`` did: ``resumed`` (each waited to its end) and the ``unknown``
    entries it did not touch (never resubmitted by the library)."""
    resumed: Tuple[ResumedWork, ...] = ()
    unknown: Tuple[JournalEntry, ...] = ()
