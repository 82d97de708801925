"""SMS operators, one module each (plug-ins by file): adding an operator means adding a
module with a `parvis.channels.sms.SmsProvider` subclass and naming it in
PARVIS_SMS_PROVIDER, e.g. `parvis.channels.sms_providers.ovh.OvhProvider`.

This package holds what the modules share: configuration lookup and a small JSON-over-HTTP
client (the standard library's, so that no HTTP package is needed) that turns the operator's
answers into `DeliveryError`s saying whether trying again may help."""

import json
import logging
import os
import urllib.error
import urllib.request

from django.conf import settings

from ..messages import DeliveryError

logger = logging.getLogger(__name__)


def config(name: str, default: str = "") -> str:
    """A setting, else the environment variable of the same name: credentials are usually
    only in the environment, while tests override settings."""
    value = getattr(settings, name, None)
    if value in (None, ""):
        value = os.environ.get(name, default)
    return str(value)


class ProviderHTTPError(DeliveryError):
    """The operator answered with an HTTP error. 429 and 5xx may pass later; other 4xx won't."""

    def __init__(self, status: int, message: str):
        super().__init__(message, retryable=status == 429 or status >= 500)
        self.status = status


def http_json(method: str, url: str, *, headers: dict, body: bytes | None, timeout: float):
    """Send one request, return the decoded JSON answer (None for an empty body)."""
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read()
    except urllib.error.HTTPError as exc:
        detail = exc.reason
        try:
            detail = exc.read()[:2000].decode("utf-8", "replace")
            detail = json.loads(detail).get("message", detail)
        except (ValueError, AttributeError, OSError):
            pass
        raise ProviderHTTPError(exc.code, f"HTTP {exc.code}: {str(detail)[:300]}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        # Refused connection, DNS failure, timeout: the operator may well be back soon.
        reason = getattr(exc, "reason", exc)
        raise DeliveryError(f"unreachable: {reason}", retryable=True) from None
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except ValueError:
        raise DeliveryError("the answer is not JSON", retryable=True) from None
