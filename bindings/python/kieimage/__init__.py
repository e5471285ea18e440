"""kieimage: a client for kie.ai's image generation (GPT Image 1 through the 4o API; GPT Image
1.5, 2, 2.5 and the other models through the Market API), over libkieimage's C ABI.

    import kieimage
    with kieimage.Client(api_key="...") as client:
        task = client.run(prompt="A beautiful sunset over the mountains", size="1:1")
        task2 = client.run(model="gpt-image-2-text-to-image", prompt="A lighthouse", aspect_ratio="16:9")
        client.download(task, "out/")

Use multiprocessing with the "spawn" start method, not fork: the library runs threads of its
own, which a forked child does not inherit. Importing fails with ImportError when the bundled
library (or ``$KIEIMAGE_LIB``) is missing or built for another C ABI version.
"""

from ._errors import (AuthenticationError, BudgetError, CancelledError, FileIOError, InsufficientCreditsError, InternalError,
                      InvalidArgumentError, KieError, LedgerError, MissingFunctionError, NetworkError, NotFoundError, ProtocolError,
                      QuotaError, RateLimitError, ServerError, SignatureError, TaskFailedError, TimeoutError, UnavailableError,
                      UnknownOutcomeError, ValidationError)
from ._loader import ABI_VERSION, LIBRARY_PATH
from ._loader import version as library_version
from .client import Client, build_request, market_models, request_body

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .models import (DownloadedFile, FallbackModel, JournalEntry, ProgressEvent, ResumedWork, ResumeResult, Size,
                         Task, TaskStatus, UploadedFile, WebhookEvent)
    from .webhooks import parse_webhook, verify_webhook

# Loaded on first use (PEP 562): the models' dataclasses and datetime cost import time that
# ``import kieimage; Client()`` does not need.
_LAZY = {
    "DownloadedFile": "models", "FallbackModel": "models", "ProgressEvent": "models", "Size": "models",
    "Task": "models", "TaskStatus": "models", "UploadedFile": "models", "WebhookEvent": "models",
    "JournalEntry": "models", "ResumedWork": "models", "ResumeResult": "models",
    "parse_webhook": "webhooks", "verify_webhook": "webhooks",
}


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kieimage' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module("." + module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> "list[str]":
    return sorted(set(globals()) | set(_LAZY))


__version__ = library_version()
"""The library's version, which is also the wheel's (both read from the C header)."""

__all__ = [
    "Client", "build_request", "request_body", "market_models", "verify_webhook", "parse_webhook",
    "Task", "TaskStatus", "Size", "FallbackModel", "ProgressEvent", "DownloadedFile", "UploadedFile", "WebhookEvent",
    "JournalEntry", "ResumedWork", "ResumeResult",
    "KieError", "InvalidArgumentError", "ValidationError", "AuthenticationError", "InsufficientCreditsError",
    "NotFoundError", "RateLimitError", "UnavailableError", "ServerError", "NetworkError", "TimeoutError",
    "UnknownOutcomeError", "TaskFailedError", "CancelledError", "ProtocolError", "SignatureError", "FileIOError",
    "InternalError", "QuotaError", "LedgerError", "BudgetError", "MissingFunctionError",
    "ABI_VERSION", "LIBRARY_PATH", "library_version", "__version__",
]
