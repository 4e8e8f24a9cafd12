"""The Celery application: broker and schedule come from Django settings (CELERY_* names)."""

import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("claims_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from config.health import connect_celery_signals  # noqa: E402 -- after the app exists

connect_celery_signals()  # Django's LOGGING in workers (request/task ids, JSON) and task failures on /sources/


def process_nice_to(niceness: int) -> int:
    """Raise this process's niceness to `niceness` (never lower it: an unprivileged process may not); the new one."""
    current = os.nice(0)
    return os.nice(niceness - current) if niceness > current else current


@signals.worker_process_init.connect(weak=False, dispatch_uid="claims-worker-niceness")
def _pool_process_niceness(**_) -> None:
    """Each pool process (prefork's children; the worker itself with --pool solo) runs its tasks at
    settings.WORKER_NICENESS, below the web server's requests on the same cores."""
    from django.conf import settings

    process_nice_to(min(settings.WORKER_NICENESS, 19))


@app.task(name="config.ping", bind=True)
def ping(self) -> dict:
    """A no-op the tests and the health check send through the broker to prove a worker answers."""
    return {"pong": True, "worker": self.request.hostname, "niceness": os.nice(0)}
