"""/healthz (database, Redis, workers), the cheap broker check behind the "ingestion paused" notice,
the record of recent Celery task failures shown on the sources page, and the error page: 503 while the
database cannot be reached (a restart, a failover), 500 for anything else."""

from __future__ import annotations

import json
import logging
import sys
import threading
import time

import redis
from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

TASK_FAILURES_KEY = "claims:task-failures"
TASK_FAILURES_KEPT = 50
BROKER_CHECK_SECONDS = 5.0  # how long one answer of the broker check is reused, per process


def broker_url() -> str:
    """The broker the checks ping (a function, so that tests can point the checks elsewhere)."""
    return settings.CELERY_BROKER_URL


def _redis_client(*, timeout: float = 0.5) -> redis.Redis:
    return redis.Redis.from_url(broker_url(), socket_connect_timeout=timeout, socket_timeout=timeout)


def check_database() -> tuple[bool, str]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True, "ok"
    except Exception as exc:  # any failure is the answer, not a crash of the health check
        return False, type(exc).__name__


def check_redis() -> tuple[bool, str]:
    try:
        _redis_client().ping()
        return True, "ok"
    except Exception as exc:
        return False, type(exc).__name__


def check_workers(*, timeout: float = 1.0) -> tuple[int, str]:
    """How many workers answer a control ping within `timeout` seconds."""
    from config.celery import app

    try:
        replies = app.control.ping(timeout=timeout) or []
    except Exception as exc:
        return 0, type(exc).__name__
    return len(replies), "ok" if replies else "no worker answered"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and Redis answer, 503 otherwise; workers are reported, not required."""
    db_ok, db_detail = check_database()
    redis_ok, redis_detail = check_redis()
    if redis_ok:
        workers, worker_detail = check_workers()
    else:
        workers, worker_detail = 0, "unknown: Redis is down"
    ok = db_ok and redis_ok
    body = {
        "status": "ok" if ok else "unavailable",
        "database": db_detail,
        "redis": redis_detail,
        "workers": {"count": workers, "detail": worker_detail},
    }
    return JsonResponse(body, status=200 if ok else 503)


# --- The error page (handler500) ------------------------------------------------------------------

DATABASE_RETRY_AFTER_SECONDS = 30
DATABASE_DOWN_MESSAGE = ("The tracker cannot reach its database right now (it may be restarting). "
                         "Nothing saved before is lost, but a change you just submitted was not saved. "
                         "Try again in a minute.")


def _api_error(code: str, message: str) -> dict:
    """The API's one error shape (core.api.errors.error_body)."""
    return {"error": {"code": code, "message": message, "fields": {}}}


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500. Django calls it inside the `except` of the failed request, so the exception is at hand:
    a database that cannot be reached is a temporary outage (503, Retry-After, say so; JSON under /api/);
    anything else is the plain 500 page. Never touches the database or the session itself."""
    exc = sys.exc_info()[1]
    api = request.path.startswith("/api/")
    if isinstance(exc, (OperationalError, InterfaceError)):
        if api:
            response = JsonResponse(_api_error("database_unavailable", DATABASE_DOWN_MESSAGE), status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": DATABASE_DOWN_MESSAGE}), status=503)
        response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response
    if api:
        return JsonResponse(_api_error("server_error", "server error; it has been logged"), status=500)
    return HttpResponse(render_to_string("500.html"), status=500)


# --- The broker check behind the notice ------------------------------------------------------------

_broker_lock = threading.Lock()
_broker_state: dict = {"checked": 0.0, "up": True}


def broker_up() -> bool:
    """Whether the broker answered a ping; cached per process for BROKER_CHECK_SECONDS (a page must stay cheap)."""
    now = time.monotonic()
    with _broker_lock:
        if now - _broker_state["checked"] < BROKER_CHECK_SECONDS:
            return _broker_state["up"]
    try:
        up = bool(_redis_client(timeout=0.3).ping())
    except Exception:
        up = False
    with _broker_lock:
        _broker_state.update(checked=time.monotonic(), up=up)
    return up


def broker_check_reset() -> None:
    with _broker_lock:
        _broker_state.update(checked=0.0, up=True)


def ingestion_status(request: HttpRequest) -> dict:
    """Context processor: `ingestion_paused` is true while the job queue cannot be reached."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"ingestion_paused": not broker_up()}


# --- Task failures ---------------------------------------------------------------------------------


def task_failure_record(*, task_id: str, task_name: str, error: str, args_hint: str = "") -> None:
    """Keep the last TASK_FAILURES_KEPT failures in a Redis list; never let the record itself fail a task."""
    entry = {"task_id": task_id, "task": task_name, "error": error[:500], "args": args_hint[:200],
             "at": timezone.now().isoformat()}
    try:
        client = _redis_client(timeout=1.0)
        pipe = client.pipeline()
        pipe.lpush(TASK_FAILURES_KEY, json.dumps(entry))
        pipe.ltrim(TASK_FAILURES_KEY, 0, TASK_FAILURES_KEPT - 1)
        pipe.execute()
    except Exception:
        logger.warning("could not record the failure of task %s", task_id)


def task_failures_recent(*, limit: int = 10) -> list[dict]:
    try:
        raw = _redis_client().lrange(TASK_FAILURES_KEY, 0, limit - 1)
    except Exception:
        return []
    failures = []
    for item in raw:
        try:
            failures.append(json.loads(item))
        except ValueError:
            continue
    return failures


def on_task_failure(sender=None, task_id=None, exception=None, kwargs=None, **_) -> None:
    """celery.signals.task_failure handler: the page shows what failed and why."""
    name = getattr(sender, "name", str(sender))
    hint = ", ".join(f"{k}={v}" for k, v in sorted((kwargs or {}).items()) if k.endswith("_id"))
    task_failure_record(task_id=task_id or "-", task_name=name,
                        error=f"{type(exception).__name__}: {exception}", args_hint=hint)
    logger.error("task %s (%s) failed: %s: %s", name, task_id, type(exception).__name__, exception)


def connect_celery_signals() -> None:
    """Called by config.celery: keep Django's LOGGING in workers and record task failures."""
    from celery import signals

    signals.task_failure.connect(on_task_failure, weak=False, dispatch_uid="claims-task-failure")

    @signals.setup_logging.connect(weak=False, dispatch_uid="claims-logging")
    def _django_logging(**_):
        import logging.config

        logging.config.dictConfig(settings.LOGGING)
