"""The Celery application: broker and schedule come from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("claims_tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

from config.health import connect_celery_signals  # noqa: E402 -- after the app exists

connect_celery_signals()  # Django's LOGGING in workers (request/task ids, JSON) and task failures on /sources/


@app.task(name="config.ping", bind=True)
def ping(self) -> dict:
    """A no-op the tests and the health check send through the broker to prove a worker answers."""
    return {"pong": True, "worker": self.request.hostname}
