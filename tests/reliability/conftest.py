"""Fixtures of the fault tests: the local web site, worker environments, private Redis servers."""

from __future__ import annotations

import pytest
from django.conf import settings

from tests.conftest import _worker_env
from tests.reliability.servers import PrivateRedis, Worker
from tests.sources.conftest import allow_local, site  # noqa: F401 -- fixtures


@pytest.fixture
def worker_env(transactional_db, allow_local):  # noqa: F811 -- the imported fixture, used here
    """The environment of a worker on the test database: visibility timeout 20 s so lost tasks come back fast."""
    env = _worker_env(settings.DATABASES["default"]["NAME"])
    env["CELERY_TASK_TIME_LIMIT"] = "10"  # visibility_timeout = 2 x this: a dead worker's task returns in ~20 s
    return env


@pytest.fixture
def workers(tmp_path):
    """Start workers with workers(name, env, ...); all stopped at teardown."""
    started: list[Worker] = []

    def start(name: str, env: dict[str, str], **kwargs) -> Worker:
        worker = Worker(name, env, tmp_path, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path / "redis")
    server.start()
    yield server
    server.stop()
