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


@signals.worker_init.connect(weak=False, dispatch_uid="claims-worker-party-index")
def _party_index_before_fork(**_) -> None:
    """The analysis's party index, built once in the worker before its pool forks: each pool process starts with it
    (copy on write) and takes in only the parties added since (claims.linking.party_resolver), instead of every
    process building it from all the parties on its first article (docs/ingestion.md has the cost at 20,000).
    Off with WORKER_PARTY_INDEX_BEFORE_FORK=0. No database connection may cross the fork: they are closed."""
    from django.conf import settings
    from django.db import connections

    if not settings.WORKER_PARTY_INDEX_BEFORE_FORK:
        return
    from claims.linking import party_resolver

    try:
        party_resolver()
    finally:
        connections.close_all()


@app.task(name="config.ping", bind=True)
def ping(self) -> dict:
    """A no-op the tests and the health check send through the broker to prove a worker answers."""
    return {"pong": True, "worker": self.request.hostname, "niceness": os.nice(0)}
