"""kieimage: a client for kie.ai's 4o Image task API, over libkieimage's C ABI.

    import kieimage
    with kieimage.Client(api_key="...") as client:
        task = client.run(prompt="A beautiful sunset over the mountains", size="1:1")
        client.download(task, "out/")

Use multiprocessing with the "spawn" start method, not fork: the library runs threads of its
own, which a forked child does not inherit. Importing fails with ImportError when the bundled
library (or ``$KIEIMAGE_LIB``) is missing or built for another C ABI version.
"""

from ._errors import (AuthenticationError, CancelledError, FileIOError, InsufficientCreditsError, InternalError,
                      InvalidArgumentError, KieError, MissingFunctionError, NetworkError, NotFoundError, ProtocolError,
                      RateLimitError, ServerError, SignatureError, TaskFailedError, TimeoutError, UnavailableError,
                      UnknownOutcomeError, ValidationError)
from ._lib import ABI_VERSION, LIBRARY_PATH
from ._lib import version as library_version
from .client import Client, build_request, request_body
from .models import (DownloadedFile, FallbackModel, ProgressEvent, Size, Task, TaskStatus, UploadedFile,
                     WebhookEvent)
from .webhooks import parse_webhook, verify_webhook

__version__ = library_version()
"""The library's version, which is also the wheel's (both read from the C header)."""

__all__ = [
    "Client", "build_request", "request_body", "verify_webhook", "parse_webhook",
    "Task", "TaskStatus", "Size", "FallbackModel", "ProgressEvent", "DownloadedFile", "UploadedFile", "WebhookEvent",
    "KieError", "InvalidArgumentError", "ValidationError", "AuthenticationError", "InsufficientCreditsError",
    "NotFoundError", "RateLimitError", "UnavailableError", "ServerError", "NetworkError", "TimeoutError",
    "UnknownOutcomeError", "TaskFailedError", "CancelledError", "ProtocolError", "SignatureError", "FileIOError",
    "InternalError", "MissingFunctionError",
    "ABI_VERSION", "LIBRARY_PATH", "library_version", "__version__",
]
