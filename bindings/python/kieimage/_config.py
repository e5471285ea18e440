"""``Client(...)``'s keyword arguments as kie_client_new's config JSON.

Defaults, environment variables (``KIE_API_KEY``, ``KIE_BASE_URL``, ...) and limits are the
library's (docs/c-api.md, section 2): only what the caller gave is written, in the library's
spelling, after a check of its Python type.
"""

from __future__ import annotations

import os

from . import _json
from ._checks import check_type, type_name

TYPE_CHECKING = False  # typing is not imported at run time (import time of the package)
if TYPE_CHECKING:
    from typing import Any, Dict, Mapping, Optional

# Python keyword -> config key of kie_client_new, and the Python types it takes.
_OPTIONS: Dict[str, Any] = {
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
    "callbacks": ("callbacks", (bool,)),
    "max_credits": ("maxCredits", (int, float)),
    "budget_since": ("budgetSince", (str,)),
    "proxy": ("proxy", (str,)),
    "ledger": ("ledger", (str,)),
    "ledger_lease_ms": ("ledgerLeaseMs", (int,)),
}


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _nested(name: str, value: Mapping[str, Any]) -> Dict[str, Any]:
    out: Dict[str, Any] = {}
    for k, v in value.items():
        if not isinstance(k, str):
            raise TypeError(f"{name} keys must be str, not {type_name(k)}")
        out[_camel(k)] = v
    return out


def config_json(api_key: Optional[str], base_url: Optional[str], options: Dict[str, Any]) -> str:
    """The config JSON for ``Client(api_key, base_url, **options)``, delivery "queue"."""
    check_type("api_key", api_key, (str,))
    check_type("base_url", base_url, (str,))
    config: Dict[str, Any] = {k: v for k, v in (("apiKey", api_key), ("baseUrl", base_url)) if v is not None}
    for name, value in options.items():
        if name not in _OPTIONS:
            raise TypeError(f"Client() got an unexpected keyword argument {name!r}")
        key, types = _OPTIONS[name]
        check_type(name, value, types)
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
    return _json.dumps(config)
