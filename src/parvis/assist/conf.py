"""The assist's configuration, from Django settings when set there, else from the
environment (read at each call, so that tests and operators can change it live)."""

import os
from pathlib import Path

from django.conf import settings


def _get(name: str, default: str) -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value)


def route_threshold() -> float:
    """Above this confidence a message is routed to the predicted service without waiting
    for an agent; below, it waits in the triage queue."""
    return float(_get("PARVIS_ASSIST_ROUTE_THRESHOLD", "0.6"))


def auto_setup() -> bool:
    """Train the cold-start model and load the town's articles after `parvis migrate`."""
    return _get("PARVIS_ASSIST_AUTO_SETUP", "true").lower() in {"1", "true", "yes", "on"}


def llm_url() -> str:
    """An OpenAI-compatible server (…/v1/chat/completions): empty means offline drafts."""
    return _get("PARVIS_LLM_URL", "").rstrip("/")


def llm_model() -> str:
    return _get("PARVIS_LLM_MODEL", "mistral-small")


def llm_api_key() -> str:
    return _get("PARVIS_LLM_API_KEY", "")


def llm_timeout() -> float:
    return float(_get("PARVIS_LLM_TIMEOUT", "20"))


def model_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "assist" / "models"


def cache_dir() -> Path:
    """Cold-start models trained from the shipped data, by data hash: the next database
    (a test run, a reset demo) reuses them instead of training again."""
    return Path(_get("PARVIS_ASSIST_CACHE_DIR", str(Path(settings.VAR_DIR) / "cache" / "assist")))


def kb_file() -> Path:
    return Path(settings.PARVIS_SHARED_DATA) / "service-public" / "fiches.jsonl"
