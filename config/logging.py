"""Log records that carry the request id and the Celery task id, as plain text or JSON lines, never secrets."""

from __future__ import annotations

import contextvars
import json
import logging
import re
from datetime import UTC, datetime

# Set by config.middleware.RequestIdMiddleware for the length of one request.
request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

# Whatever a message says, these never reach a log: bearer tokens, passwords, session ids, API tokens.
_SECRET_PATTERNS = [
    (re.compile(r"(?i)(authorization[\"']?\s*[:=]\s*[\"']?)(bearer|token|basic)\s+[^\s\"',;]+"), r"\1\2 [redacted]"),
    (re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 [redacted]"),
    (re.compile(r"(?i)((?:password|passwd|secret|token|api_key|sessionid|csrftoken|csrfmiddlewaretoken)"
                r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,;}]+"), r"\1[redacted]"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _task_id() -> str:
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover -- celery is a dependency
        return "-"
    task = current_task
    request = getattr(task, "request", None) if task else None
    return getattr(request, "id", None) or "-"


class ContextFilter(logging.Filter):
    """Adds request_id and task_id to every record, and redacts secrets from its message."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = request_id_var.get()
        if request_id == "-":  # django.request logs 4xx/5xx after the middleware returned; the record has the request
            request_id = getattr(getattr(record, "request", None), "request_id", "-")
        record.request_id = request_id
        record.task_id = _task_id()
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [req=%(request_id)s task=%(task_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__.setdefault("request_id", "-")
        record.__dict__.setdefault("task_id", "-")
        return redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, task_id, and the exception if any."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "task_id": getattr(record, "task_id", "-"),
        }
        for extra in ("method", "path", "status", "duration_ms"):
            if hasattr(record, extra):
                entry[extra] = getattr(record, extra)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return redact(json.dumps(entry, ensure_ascii=False, default=str))


def logging_config(*, log_format: str, level: str) -> dict:
    """The LOGGING setting: `plain` (default) or `json` lines on standard error."""
    if log_format not in {"plain", "json"}:
        from config.env import ImproperlyConfiguredEnv

        raise ImproperlyConfiguredEnv(f"LOG_FORMAT={log_format!r} must be plain or json")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "config.logging.ContextFilter"}},
        "formatters": {
            "plain": {"()": "config.logging.PlainFormatter"},
            "json": {"()": "config.logging.JsonFormatter"},
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["context"]}},
        "root": {"handlers": ["console"], "level": level},
        # httpx logs every request at INFO: a feed poll (load_demo's too) would print a line per article fetched.
        # The ingestion run records what was fetched; failures still log as warnings.
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "httpx": {"level": "WARNING"},
            "httpcore": {"level": "WARNING"},
        },
    }
